// The one place the interop scripts import the TypeScript client from: its build output (scripts/interop.mjs
// builds it first). If the client's package layout changes, only this line changes.
export * from "../../../client/dist/index.js";
