import type { VssClient } from "../../client/vss-client.js";
import { LdkNodeKvStore } from "../../ldk/kv-store.js";
import { requireSeed } from "../connect.js";
import { emitValue, keyArgument, note, printLine, valueToPut } from "../io.js";
import { UsageError, type CliOptions } from "../options.js";

/** LDK keys and namespaces never contain `/`, so `primary/secondary/key` is unambiguous. */
const PATH_SEPARATOR = "/";

function keyPath(options: CliOptions): [string, string, string] {
  const parts = keyArgument(options).split(PATH_SEPARATOR);
  if (parts.length !== 3) throw new UsageError("with --ldk a key is primary/secondary/key (e.g. monitors//abc or //manager)");
  return parts as [string, string, string];
}

function namespacePath(options: CliOptions): [string, string] {
  const parts = (options.args[0] ?? "").split(PATH_SEPARATOR);
  if (parts.length > 2) throw new UsageError("with --ldk, list takes primary[/secondary]");
  return [parts[0] ?? "", parts[1] ?? ""];
}

function open(client: VssClient, options: CliOptions, readOnly: boolean): Promise<LdkNodeKvStore> {
  return LdkNodeKvStore.open({ client, storeId: options.store, seed: requireSeed(options, "--ldk"), readOnly });
}

/** ldk-node mode: get/put/delete/list through the wallet's key layout and encryption. */
export async function ldkCommand(client: VssClient, options: CliOptions): Promise<void> {
  switch (options.command) {
    case "get": {
      const [primary, secondary, key] = keyPath(options);
      await emitValue(options, await (await open(client, options, true)).read(primary, secondary, key));
      return;
    }
    case "put": {
      const [primary, secondary, key] = keyPath(options);
      const value = await valueToPut(options);
      await (await open(client, options, false)).write(primary, secondary, key, value);
      note(options, `put ${primary}/${secondary}/${key} (${value.length} bytes, encrypted)`);
      return;
    }
    case "delete": {
      const [primary, secondary, key] = keyPath(options);
      await (await open(client, options, false)).remove(primary, secondary, key);
      note(options, `deleted ${primary}/${secondary}/${key}`);
      return;
    }
    case "list": {
      const [primary, secondary] = namespacePath(options);
      const keys = await (await open(client, options, true)).list(primary, secondary);
      for (const key of keys) printLine(key);
      note(options, `${keys.length} keys`);
      return;
    }
    default:
      throw new UsageError(`--ldk supports get, put, delete and list, not ${options.command}`);
  }
}
