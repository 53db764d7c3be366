"use strict";
// Preloaded into jsii's Node process (`node --require`, through NODE_OPTIONS: hyperpod/bindings/node.py).
//
// When jsii loads a prebuilt provider binding (@cdktf/provider-* or @cdktn/provider-*), its kernel requires the
// package's lib/index.js, which requires every resource module of the provider at once: 2,212 for CDKTF's aws binding
// and 2,433 for CDK Terrain's, 1.6 s and 2.1 s and most of the process's memory, for a stack that uses about twenty.
// This hook answers that one require with the same exports, each a getter that requires its module the first time
// the kernel reads it (the kernel reads `exports.s3Bucket` when Python first creates an `S3Bucket`).
//
// It changes nothing else: any other require, and any index.js whose statements are not all of the generated
// `exports.name = require("./module")` form (or `__importStar(require("./module/index"))`), load as Node loads them.
const Module = require("module");
const fs = require("fs");
const path = require("path");

const PROVIDER_INDEX = /[\\/]@cdkt[fn][\\/]provider-[a-z0-9-]+[\\/]lib[\\/]index\.js$/;
const EXPORT = /^exports\.([A-Za-z_$][A-Za-z0-9_$]*) = (?:__importStar\()?require\("(\.\/[a-z0-9-]+(?:\/index)?)"\)\)?;$/gm;
const DECLARATION = /^exports\.[A-Za-z_$][A-Za-z0-9_$]* = (?:exports\.[A-Za-z_$][A-Za-z0-9_$]* = )*void 0;$/;

// The generated exports, or null when the file holds anything else that requires or exports.
function generatedExports(source) {
  const entries = [...source.matchAll(EXPORT)].map((match) => [match[1], match[2]]);
  const requires = source.split("require(").length - 1;
  const exportLines = source.split("\n").filter((line) => line.startsWith("exports."));
  const others = exportLines.filter((line) => !DECLARATION.test(line)).length;
  if (entries.length === 0 || requires !== entries.length || others !== entries.length) return null;
  return entries;
}

function lazyIndex(filename, parent) {
  const entries = generatedExports(fs.readFileSync(filename, "utf8"));
  if (entries === null) return null;
  const module = new Module(filename, parent);
  module.filename = filename;
  module.paths = Module._nodeModulePaths(path.dirname(filename));
  const requireHere = Module.createRequire(filename);
  Object.defineProperty(module.exports, "__esModule", { value: true });
  for (const [name, target] of entries) {
    Object.defineProperty(module.exports, name, {
      enumerable: true,
      configurable: true,
      get() {
        const value = requireHere(target);
        Object.defineProperty(module.exports, name, { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
    });
  }
  module.loaded = true;
  return module;
}

const nodeLoad = Module._load;
Module._load = function (request, parent, isMain) {
  if (typeof request === "string" && path.isAbsolute(request) && PROVIDER_INDEX.test(request)
      && !Module._cache[request]) {
    const module = lazyIndex(request, parent);
    if (module !== null) {
      Module._cache[request] = module;
      return module.exports;
    }
  }
  return nodeLoad.apply(this, arguments);
};
