import { create, fromBinary, toBinary, type DescMessage } from "@bufbuild/protobuf";
import {
  DeleteObjectRequestSchema,
  DeleteObjectResponseSchema,
  ErrorCode,
  GetObjectRequestSchema,
  GetObjectResponseSchema,
  ListKeyVersionsRequestSchema,
  ListKeyVersionsResponseSchema,
  PutObjectRequestSchema,
  PutObjectResponseSchema,
} from "../../src/gen/vss_pb";
import {
  AcquireLeaseRequestSchema,
  AcquireLeaseResponseSchema,
  GetLeaseRequestSchema,
  GetLeaseResponseSchema,
  GetObjectsRequestSchema,
  GetObjectsResponseSchema,
  ListChangesRequestSchema,
  ListChangesResponseSchema,
  ReleaseLeaseRequestSchema,
  ReleaseLeaseResponseSchema,
  RenewLeaseRequestSchema,
  RenewLeaseResponseSchema,
  WatchTicketRequestSchema,
  WatchTicketResponseSchema,
} from "../../src/gen/multidevice_pb";
import { Prng, breakHeader, concat, lenField, mutate } from "./fuzz";

/** The hostile requests of the fuzz test (test/http/fuzz.test.ts), generated from a seeded PRNG. */

const ORIGIN = "http://vss.test";
export type Op =
  | "getObject"
  | "putObjects"
  | "deleteObject"
  | "listKeyVersions"
  | "acquireLease"
  | "renewLease"
  | "releaseLease"
  | "getLease"
  | "listChanges"
  | "getObjects"
  | "watchTicket";
/** The multi-device routes work on their own store ("fuzz-lease"), so that a lease never fences the writes above. */
export const OPS: Record<Op, { request: DescMessage; response: DescMessage; statuses: number[] }> = {
  getObject: { request: GetObjectRequestSchema, response: GetObjectResponseSchema, statuses: [200, 400, 404] },
  putObjects: { request: PutObjectRequestSchema, response: PutObjectResponseSchema, statuses: [200, 400, 409] },
  deleteObject: { request: DeleteObjectRequestSchema, response: DeleteObjectResponseSchema, statuses: [200, 400] },
  listKeyVersions: { request: ListKeyVersionsRequestSchema, response: ListKeyVersionsResponseSchema, statuses: [200, 400] },
  acquireLease: { request: AcquireLeaseRequestSchema, response: AcquireLeaseResponseSchema, statuses: [200, 400, 409] },
  renewLease: { request: RenewLeaseRequestSchema, response: RenewLeaseResponseSchema, statuses: [200, 400, 409] },
  releaseLease: { request: ReleaseLeaseRequestSchema, response: ReleaseLeaseResponseSchema, statuses: [200, 400] },
  getLease: { request: GetLeaseRequestSchema, response: GetLeaseResponseSchema, statuses: [200, 400] },
  listChanges: { request: ListChangesRequestSchema, response: ListChangesResponseSchema, statuses: [200, 400] },
  getObjects: { request: GetObjectsRequestSchema, response: GetObjectsResponseSchema, statuses: [200, 400] },
  watchTicket: { request: WatchTicketRequestSchema, response: WatchTicketResponseSchema, statuses: [200, 400] },
};
export const CODE_OF_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.INVALID_REQUEST_EXCEPTION,
  401: ErrorCode.AUTH_EXCEPTION,
  404: ErrorCode.NO_SUCH_KEY_EXCEPTION,
  409: ErrorCode.CONFLICT_EXCEPTION,
  413: ErrorCode.INVALID_REQUEST_EXCEPTION,
};

const enc = (schema: DescMessage, init: Record<string, unknown>) => toBinary(schema, create(schema, init));
const bytes = (text: string) => new TextEncoder().encode(text);

/** Valid messages of each operation; the fuzzer mutates these. */
function templates(rng: Prng): Record<Op, Uint8Array> {
  const key = `k${rng.int(8)}`;
  return {
    getObject: enc(GetObjectRequestSchema, { storeId: "fuzz", key }),
    putObjects: enc(PutObjectRequestSchema, {
      storeId: "fuzz",
      globalVersion: rng.next() < 0.3 ? BigInt(rng.int(3)) : undefined,
      transactionItems: [{ key, version: BigInt(rng.pick([-1, 0, 1, 2])), value: rng.bytes(rng.int(40)) }],
      deleteItems: rng.next() < 0.2 ? [{ key: `k${rng.int(8)}`, version: -1n }] : [],
    }),
    deleteObject: enc(DeleteObjectRequestSchema, { storeId: "fuzz", keyValue: { key, version: BigInt(rng.pick([-1, 1])) } }),
    listKeyVersions: enc(ListKeyVersionsRequestSchema, { storeId: "fuzz", keyPrefix: "k", pageSize: 1 + rng.int(5), pageToken: rng.next() < 0.3 ? "5" : undefined }),
    acquireLease: enc(AcquireLeaseRequestSchema, { storeId: "fuzz-lease", holder: rng.pick(["phone", "laptop", ""]), ttlSeconds: rng.pick([5, 60, 3600, 4, 3601, 0, -1]), force: rng.next() < 0.5 }),
    renewLease: enc(RenewLeaseRequestSchema, { storeId: "fuzz-lease", token: rng.pick(["", "0123456789abcdef0123456789abcdef", "t".repeat(257)]), ttlSeconds: rng.pick([5, 60, 4, 3601]) }),
    releaseLease: enc(ReleaseLeaseRequestSchema, { storeId: "fuzz-lease", token: rng.pick(["", "x", "0123456789abcdef0123456789abcdef"]) }),
    getLease: enc(GetLeaseRequestSchema, { storeId: "fuzz-lease" }),
    listChanges: enc(ListChangesRequestSchema, { storeId: rng.pick(["fuzz", "fuzz-lease"]), sinceRevision: BigInt(rng.pick([0, 1, 5, 1_000_000, -1])), pageSize: rng.pick([undefined, 1, 0, -2, 5000]) }),
    getObjects: enc(GetObjectsRequestSchema, { storeId: "fuzz", keys: Array.from({ length: rng.pick([0, 1, 3, 101]) }, (_, i) => `k${i % (rng.next() < 0.2 ? 2 : 1000)}`) }),
    watchTicket: enc(WatchTicketRequestSchema, { storeId: rng.pick(["fuzz", "fuzz-lease"]) }),
  };
}

/** Messages that decode but break a rule: each must be answered 400 INVALID_REQUEST. */
function invalidMessage(rng: Prng): { op: Op; body: Uint8Array; kind: string } {
  const long = (n: number) => "é".repeat(n);
  const cases: (() => { op: Op; body: Uint8Array; kind: string })[] = [
    () => ({ op: "getObject", kind: "store_id over 120", body: enc(GetObjectRequestSchema, { storeId: long(121), key: "k" }) }),
    () => ({ op: "getObject", kind: "key over 600", body: enc(GetObjectRequestSchema, { storeId: "fuzz", key: long(601) }) }),
    () => ({ op: "putObjects", kind: "1001 items", body: enc(PutObjectRequestSchema, { storeId: "fuzz", transactionItems: Array.from({ length: 1001 }, (_, i) => ({ key: `m${i}`, version: -1n })) }) }),
    () => ({ op: "putObjects", kind: "reserved key", body: enc(PutObjectRequestSchema, { storeId: "fuzz", transactionItems: [{ key: "global_version", version: -1n }] }) }),
    () => ({ op: "putObjects", kind: "reserved delete key", body: enc(PutObjectRequestSchema, { storeId: "fuzz", deleteItems: [{ key: "global_version", version: -1n }] }) }),
    () => ({ op: "deleteObject", kind: "no key_value", body: enc(DeleteObjectRequestSchema, { storeId: "fuzz" }) }),
    () => ({ op: "listKeyVersions", kind: "negative page size", body: enc(ListKeyVersionsRequestSchema, { storeId: "fuzz", pageSize: -1 - rng.int(1000) }) }),
    () => ({ op: "listKeyVersions", kind: "bogus page token", body: enc(ListKeyVersionsRequestSchema, { storeId: "fuzz", pageToken: rng.pick(["", "abc", "-1", "0", "01", "1e3", "99999999999999999", " 5"]) }) }),
    () => ({ op: "getObject", kind: "invalid UTF-8 key", body: concat(lenField(1, bytes("fuzz")), lenField(2, Uint8Array.of(0x6b, 0xff))) }),
  ];
  return rng.pick(cases)();
}

const ODD_PATHS = [
  "/", "/vss", "/vss/", "/vss/getobject", "/VSS/getObject", "/vss/getObject/", "/vss/getObject?x=1", "/vss/../vss/getObject",
  "/vss//putObjects", "/vss/%67etObject", "//vss///listKeyVersions", "/vss/deleteObject/extra", "/bench/worker-floor",
  "/bench/store-floor", "/vss/health", "/metrics", "/vss/getObject;x", "/vss/" + "a".repeat(8000), "/vss/getObject%00",
];
const METHODS = ["POST", "GET", "HEAD", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "PURGE"];

/** The route a URL reaches, normalized the way the Worker does (duplicate slashes collapsed, query dropped). */
function routeOf(url: string): string {
  return new URL(url).pathname.replace(/\/{2,}/g, "/");
}

export interface Spec {
  index: number;
  kind: string;
  method: string;
  url: string;
  authorization: string | null;
  body: Uint8Array | null;
  /** The statuses the contract allows; `op` decodes a 200 body. */
  statuses: number[];
  op?: Op;
}

/** What the contract allows for `body` sent to `op` with valid credentials: not a message → exactly 400. */
function allowed(op: Op, body: Uint8Array): number[] {
  try {
    fromBinary(OPS[op].request, body, { readUnknownFields: false });
    return OPS[op].statuses;
  } catch {
    return [400];
  }
}

export function generate(rng: Prng, index: number, auth: { valid: string; stale: string; highS: string }): Spec {
  const op = rng.pick(Object.keys(OPS) as Op[]);
  const url = `${ORIGIN}/vss/${op}`;
  const roll = rng.next();
  if (roll < 0.55) {
    const { kind, body } = mutate(rng, templates(rng)[op]);
    return { index, kind, method: "POST", url, authorization: auth.valid, body, statuses: allowed(op, body), op };
  }
  if (roll < 0.65) {
    const bad = invalidMessage(rng);
    return { index, kind: bad.kind, method: "POST", url: `${ORIGIN}/vss/${bad.op}`, authorization: auth.valid, body: bad.body, statuses: [400], op: bad.op };
  }
  if (roll < 0.8) {
    const { kind, header } = breakHeader(rng, auth.valid, auth.stale, auth.highS);
    return { index, kind: `auth: ${kind}`, method: "POST", url, authorization: header, body: templates(rng)[op], statuses: [401] };
  }
  if (roll < 0.92) {
    const method = rng.pick(METHODS);
    const target = `${ORIGIN}${rng.pick(ODD_PATHS)}`;
    const route = routeOf(target);
    const body = method === "GET" || method === "HEAD" ? null : templates(rng)[op];
    const reached = Object.keys(OPS).find((name) => route === `/vss/${name}`) as Op | undefined;
    let statuses = [400];
    if (method === "POST" && reached && body) statuses = allowed(reached, body);
    else if ((method === "GET" || method === "HEAD") && (route === "/vss/health" || route === "/metrics")) statuses = [200];
    return { index, kind: `odd request ${method} ${target.slice(0, 60)}`, method, url: target, authorization: auth.valid, body, statuses, op: method === "POST" ? reached : undefined };
  }
  const body = templates(rng)[op];
  return { index, kind: "valid", method: "POST", url, authorization: auth.valid, body, statuses: OPS[op].statuses, op };
}

