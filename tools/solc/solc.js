#!/usr/bin/env node
// The version is the one snark-verifier's generated verifier pins (`pragma solidity 0.8.19`).
// Reads one Solidity source on stdin and prints each contract's deployment bytecode in hex,
// the last token on stdout as `solc --bin -` prints it; `--optimize` turns the optimizer on, as
// it does for solc. Compiler errors go to stderr and make the exit status nonzero.
const fs = require("fs");
const solc = require("solc");

const input = {
  language: "Solidity",
  sources: { "Verifier.sol": { content: fs.readFileSync(0, "utf8") } },
  settings: {
    optimizer: { enabled: process.argv.includes("--optimize"), runs: 200 },
    outputSelection: { "*": { "*": ["evm.bytecode.object"] } },
  },
};
const output = JSON.parse(solc.compile(JSON.stringify(input)));
const errors = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) process.stderr.write(e.formattedMessage + "\n");
if (errors.length > 0) process.exit(1);
for (const [name, contract] of Object.entries(output.contracts["Verifier.sol"])) {
  process.stdout.write(`======= Verifier.sol:${name} =======\nBinary:\n${contract.evm.bytecode.object}\n`);
}
