#!/usr/bin/env node
// Builds an installer of the Cashier app with the Tauri bundler: `deb` here, `nsis` on Windows.
//
//   node packaging/bundle.mjs [--release] <deb|nsis>
//
// Without --release it packages the debug build the end-to-end tests run (CI packages that one,
// so the app is compiled once); with --release it first makes the shops' build (optimised, assets
// served by the custom protocol). The UI must be built already (ui/dist); scripts/package-deb does
// that on Linux.
//
// Why a staging folder: the Tauri CLI wants tauri.conf.json in the same folder as a Cargo.toml with
// the app's [package]. Cashier keeps tauri.conf.json at the top level beside the workspace's virtual
// manifest, which the CLI refuses ("No package info in the config file"). So this writes
// <target>/bundle-app/ with a copy of the config, the files its bundle section names (icons/,
// packaging/), and a manifest that only tells the CLI the app's name, version and binary; then
// `tauri bundle` packages the binary cargo already left in <target>/<profile>/, compiling nothing.
// The bundles land in <target>/<profile>/bundle/<format>/.

import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const APP = "cashier-app";
const repo = resolve(dirname(fileURLToPath(import.meta.url)), "..");

function fail(message) {
  console.error(`bundle: ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: repo, stdio: "inherit", ...options });
  if (result.error) fail(`${command}: ${result.error.message}`);
  if (result.status !== 0) fail(`${command} ${args.join(" ")} exited with ${result.status}`);
}

const args = process.argv.slice(2);
const release = args.includes("--release");
const formats = args.filter((a) => !a.startsWith("--"));
if (formats.length !== 1 || args.some((a) => a.startsWith("--") && a !== "--release")) {
  fail("usage: node packaging/bundle.mjs [--release] <deb|nsis>");
}
const format = formats[0];
const profile = release ? "release" : "debug";

if (!existsSync(join(repo, "ui/dist/index.html"))) {
  fail("ui/dist is missing: build the UI first (cd ui && npm ci && npm run build)");
}

// The app binary. Debug: the e2e tests' own build (`cargo test` enables the dev-dependencies'
// features too, so a plain `cargo build` would compile much of the dependency tree again); fresh
// after the e2e stage, so this is a check of a second or two. Release: the shops' build; the CLI
// would add tauri/custom-protocol itself, plain cargo needs it named.
if (release) {
  run("cargo", ["build", "--release", "-p", APP, "--features", "tauri/custom-protocol"]);
} else {
  run("cargo", ["test", "-p", APP, "--no-run", "--quiet"]);
}

const metadata = JSON.parse(
  execFileSync("cargo", ["metadata", "--no-deps", "--format-version", "1"], {
    cwd: repo,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  }),
);
const app = metadata.packages.find((p) => p.name === APP);
if (!app) fail(`no package ${APP} in the workspace`);
const main = app.targets.find((t) => t.kind.includes("bin") && t.name === APP);
if (!main) fail(`package ${APP} has no binary ${APP}`);
const target = metadata.target_directory;
const exe = process.platform === "win32" ? `${APP}.exe` : APP;
if (!existsSync(join(target, profile, exe))) fail(`${join(target, profile, exe)} was not built`);

// The staging folder the CLI takes for the app's crate folder.
const stage = join(target, "bundle-app");
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
for (const name of readdirSync(repo)) {
  if (/^tauri(\.[a-z]+)?\.conf\.json5?$/.test(name)) cpSync(join(repo, name), join(stage, name));
}
for (const dir of ["icons", "packaging"]) cpSync(join(repo, dir), join(stage, dir), { recursive: true });
// TOML literal strings ('…') take a Windows path's backslashes as they are; they cannot hold a '.
const toml = (value) => {
  if (String(value).includes("'")) fail(`cannot write ${value} into the staged Cargo.toml`);
  return `'${value}'`;
};
writeFileSync(
  join(stage, "Cargo.toml"),
  [
    "# Written by packaging/bundle.mjs for the Tauri CLI, which reads the app's name, version and",
    "# binary here. Nothing is built from it: the binary is the workspace's (src-tauri).",
    "[package]",
    `name = ${toml(APP)}`,
    `version = ${toml(app.version)}`,
    `description = ${toml(app.description ?? "")}`,
    `license = ${toml(app.license ?? "")}`,
    "",
    "[[bin]]",
    `name = ${toml(APP)}`,
    `path = ${toml(main.src_path)}`,
    "",
    "# Its own workspace: not a member of the one the target folder sits in.",
    "[workspace]",
    "",
  ].join("\n"),
);

// The CLI from the UI's devDependencies, run by this same node (no .cmd shim on Windows).
const requireUi = createRequire(join(repo, "ui/package.json"));
let cliPackage;
try {
  cliPackage = requireUi.resolve("@tauri-apps/cli/package.json");
} catch {
  fail("the Tauri CLI is missing: cd ui && npm ci (it is one of the UI's devDependencies)");
}
const cli = join(dirname(cliPackage), requireUi("@tauri-apps/cli/package.json").bin.tauri);

const started = Date.now();
run(process.execPath, [cli, "bundle", "--bundles", format, ...(release ? [] : ["--debug"])], {
  env: {
    ...process.env,
    TAURI_APP_PATH: stage,
    TAURI_FRONTEND_PATH: join(repo, "ui"),
    // The CLI asks cargo where the target folder is, from the staging folder: point it here.
    CARGO_TARGET_DIR: target,
  },
});

const out = join(target, profile, "bundle", format);
const made = existsSync(out)
  ? readdirSync(out)
      .map((name) => join(out, name))
      .filter((path) => statSync(path).isFile() && statSync(path).mtimeMs >= started - 1000)
  : [];
if (made.length === 0) fail(`the bundler wrote nothing new to ${out}`);
for (const path of made) console.log(path);
