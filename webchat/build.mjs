// Builds dist/webchat.js (socket.io client + widget, one file) and dist/webchat.css.
// No bundler: the socket.io client's browser build is wrapped so that it sets no global.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ioPackage = require("socket.io-client/package.json");
const ioBuild = join(dirname(require.resolve("socket.io-client/package.json")), "dist", "socket.io.min.js");
const own = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));

const socketio = readFileSync(ioBuild, "utf8").replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n");
const widget = readFileSync(join(here, "src", "widget.js"), "utf8");
const css = readFileSync(join(here, "src", "widget.css"), "utf8");

const js = `/*! ${own.name} ${own.version}; includes the Socket.IO client ${ioPackage.version} (MIT License) */
(function () {
// The socket.io client below sees a CommonJS module: it does not touch the page's globals.
var module = { exports: {} }, exports = module.exports, define;
${socketio}
var io = module.exports;
${widget}
})();
`;

mkdirSync(join(here, "dist"), { recursive: true });
writeFileSync(join(here, "dist", "webchat.js"), js);
writeFileSync(join(here, "dist", "webchat.css"), css);
console.log(`webchat: dist/webchat.js (${(js.length / 1024).toFixed(0)} KiB), dist/webchat.css`);
