/** The engine version written into every log and manifest. */
export const ENGINE_VERSION = "0.1.0"
