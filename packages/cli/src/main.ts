console.log("devosim", process.version)
