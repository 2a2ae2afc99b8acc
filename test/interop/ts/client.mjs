// The one place the interop scripts import the TypeScript client from: the @edge-vss/client workspace package
// through its public entries (scripts/interop.mjs builds it first with `npm run build:client`).
export * from "@edge-vss/client";
export * from "@edge-vss/client/ldk";
