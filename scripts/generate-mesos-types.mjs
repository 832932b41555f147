#!/usr/bin/env node
// Generates lib/mesos/proto/generated/*.ts (type declarations only) from lib/mesos/proto/*.proto.
//
// Why ts-proto, fed by protobufjs instead of protoc: ts-proto emits plain interfaces that describe
// exactly what our protobufjs reflection codec decodes (`keepCase` snake_case names, enums as their
// names, 64-bit integers as strings, bytes as Buffers), with `required` fields non-optional, and
// nothing else (`onlyTypes`). pbjs/pbts describe protobufjs' generated classes instead (numeric
// enums, `number | Long`), a different shape from the objects our handlers receive. ts-proto is a
// protoc plugin; the registry serves no protoc binary, so protobufjs (already our runtime parser)
// builds the FileDescriptorSet and this script hands the plugin the CodeGeneratorRequest protoc
// would have written. The .proto files stay the single source of truth: `npm run build`,
// `typecheck` and `test` regenerate before they run.
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor.js';

const here = dirname(fileURLToPath(import.meta.url));
const protoDir = join(here, '..', 'lib', 'mesos', 'proto');
const outDir = join(protoDir, 'generated');
const plugin = join(here, '..', 'node_modules', '.bin', 'protoc-gen-ts_proto');

const TS_PROTO_OPTIONS = [
  'onlyTypes=true',
  'snakeToCamel=false',
  'forceLong=string',
  'stringEnums=true',
  'enumsAsLiterals=true',
  'esModuleInterop=true',
  'importSuffix=.js',
  'env=node',
  'useDate=false',
  'outputIndex=false',
  'exportCommonSymbols=false',
].join(',');

const protoFiles = readdirSync(protoDir)
  .filter((f) => f.endsWith('.proto'))
  .sort()
  .map((f) => join(protoDir, f));

// `--if-stale` (what `npm test` runs first): nothing to do when the output is newer than its inputs.
if (process.argv.includes('--if-stale') && existsSync(join(outDir, '.stamp'))) {
  const made = statSync(join(outDir, '.stamp')).mtimeMs;
  const inputs = [...protoFiles, fileURLToPath(import.meta.url)];
  if (inputs.every((file) => statSync(file).mtimeMs <= made)) process.exit(0);
}

const root = new protobuf.Root();
root.loadSync(protoFiles, { keepCase: true });
root.resolveAll();

// protobufjs infers one descriptor file per package and leaves `dependency` empty: fill it in
// from the type names each file's fields and nested messages refer to.
const set = root.toDescriptor('proto2');
const fileOfPackage = new Map(set.file.map((f) => [f.package, f.name]));
function packageOf(typeName) {
  const parts = typeName.replace(/^\./, '').split('.');
  for (let i = parts.length - 1; i > 0; i -= 1) {
    const pkg = parts.slice(0, i).join('.');
    if (fileOfPackage.has(pkg)) return pkg;
  }
  return undefined;
}
// protoc writes every type reference fully qualified (`.mesos.FrameworkID`); protobufjs keeps
// them as written in the .proto, so they are qualified here from the resolved reflection types.
const LABEL_REQUIRED = 2;
const requiredMessageFields = [];
for (const file of set.file) {
  const deps = new Set();
  const visit = (message, scope, tsScope) => {
    const fullName = `${scope}.${message.name}`;
    const tsName = tsScope ? `${tsScope}_${message.name}` : message.name;
    const type = root.lookupType(fullName);
    for (const field of message.field ?? []) {
      if (!field.typeName) continue;
      const resolved = type.fields[field.name]?.resolvedType;
      if (!resolved)
        throw new Error(
          `${fullName}.${field.name}: unresolved ${field.typeName}`,
        );
      field.typeName = resolved.fullName;
      if (field.label === LABEL_REQUIRED && resolved instanceof protobuf.Type) {
        requiredMessageFields.push([file.name, tsName, field.name]);
      }
      const pkg = packageOf(field.typeName);
      if (pkg && pkg !== file.package) deps.add(fileOfPackage.get(pkg));
    }
    for (const nested of message.nestedType ?? [])
      visit(nested, fullName, tsName);
  };
  for (const message of file.messageType ?? [])
    visit(message, file.package, '');
  file.dependency = [...deps].sort();
}

// google.protobuf.compiler.CodeGeneratorRequest: file_to_generate = 1, parameter = 2,
// proto_file = 15 (in dependency order, which protobufjs' file order need not be).
const ordered = [];
const byName = new Map(set.file.map((f) => [f.name, f]));
const place = (file) => {
  if (ordered.includes(file)) return;
  for (const dep of file.dependency) place(byName.get(dep));
  ordered.push(file);
};
set.file.forEach(place);
const request = protobuf.Writer.create();
for (const file of ordered) request.uint32((1 << 3) | 2).string(file.name);
request.uint32((2 << 3) | 2).string(TS_PROTO_OPTIONS);
for (const file of ordered) {
  request
    .uint32((15 << 3) | 2)
    .bytes(descriptor.FileDescriptorProto.encode(file).finish());
}

const run = spawnSync(plugin, [], {
  input: request.finish(),
  maxBuffer: 64 << 20,
});
if (run.status !== 0) {
  process.stderr.write(run.stderr);
  throw new Error(`protoc-gen-ts_proto exited with ${run.status}`);
}

// google.protobuf.compiler.CodeGeneratorResponse: error = 1, file = 15 { name = 1, content = 15 }.
const files = [];
const reader = protobuf.Reader.create(run.stdout);
while (reader.pos < reader.len) {
  const tag = reader.uint32();
  if (tag >>> 3 === 1) throw new Error(`ts-proto: ${reader.string()}`);
  if (tag >>> 3 !== 15) {
    reader.skipType(tag & 7);
    continue;
  }
  const file = protobuf.Reader.create(reader.bytes());
  const entry = {};
  while (file.pos < file.len) {
    const t = file.uint32();
    if (t >>> 3 === 1) entry.name = file.string();
    else if (t >>> 3 === 15) entry.content = file.string();
    else file.skipType(t & 7);
  }
  files.push(entry);
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
// ts-proto types every message field `T | undefined` (a proto3 habit); a proto2 `required` one is
// always present in what the codec decodes and must be set in what it encodes.
function adjustFieldTypes(name, content) {
  let out = content;
  for (const [file, tsName, field] of requiredMessageFields) {
    if (file.replace(/\.proto$/, '.ts') !== name) continue;
    const body = new RegExp(
      `(export interface ${tsName} \\{[^}]*?\\n  ${field}:)\\s*([\\w.]+)\\s*\\|\\s*undefined;`,
    );
    if (!body.test(out))
      throw new Error(
        `${name}: ${tsName}.${field} not found in ts-proto output`,
      );
    out = out.replace(body, '$1 $2;');
  }
  // Repeated fields may be left out of what is encoded (and protobufjs leaves empty ones out of what
  // it decodes unless `arrays` is set), so they are optional, like protobufjs' own interfaces.
  return out.replace(/^( {2}\w+): ([\w.]+\[\];)$/gm, '$1?: $2');
}
for (const { name, content } of files) {
  writeFileSync(join(outDir, name), adjustFieldTypes(name, content));
}
writeFileSync(join(outDir, '.stamp'), `${new Date().toISOString()}\n`);
console.error(
  `[mesos-types] ${files.map((f) => f.name).join(', ')} from ${protoFiles.length} .proto files`,
);
