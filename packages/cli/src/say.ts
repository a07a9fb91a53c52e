/**
 * What the CLI prints on stdout. Each line goes through `forTerminal`, so nothing read from a file
 * (a run directory's names, a scenario's ids) can drive the terminal: a name holding ESC or CR
 * cannot erase a line and print a fake "intact". Values that could hold a line break are escaped
 * where they are interpolated (`forTerminal(dir)`), so they cannot start a line of their own.
 */
import { forTerminal } from "@devosim/core"
import { Console } from "effect"

export const escapeLines = (text: string): string => text.split("\n").map(forTerminal).join("\n")

export const say = (text: string) => Console.log(escapeLines(text))
