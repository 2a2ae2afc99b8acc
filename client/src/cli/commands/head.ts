import type { VssClient } from "../../client/vss-client.js";
import { StorableBuilder } from "../../crypto/storable-builder.js";
import { compareHeads, publishHead, type PublishedHead } from "../../history/compare.js";
import { deriveLdkNodeSecrets } from "../../ldk/secrets.js";
import { requireSeed } from "../connect.js";
import { printLine } from "../io.js";
import { UsageError, type CliOptions } from "../options.js";

const headLine = (head: PublishedHead) =>
  `revision ${head.revision} digest ${head.digest}${head.device === undefined ? "" : ` by ${JSON.stringify(head.device)}`} at ${new Date(head.publishedAtMs).toISOString()}`;

/**
 * `head publish|compare` (HISTORY.md §6, devices compare heads), sealed with the data key of --seed (the key
 * ldk-node's values are encrypted with). publish: proves the store's current head and writes it (--holder names
 * the device; --lease fences the write). compare: proves the store's current head, opens the published one and
 * proves it lies on that chain; a fork or a rollback is an error (exit 1). `client` must be a verifying client.
 */
export async function head(client: VssClient, options: CliOptions): Promise<void> {
  const sealer = new StorableBuilder(deriveLdkNodeSecrets(requireSeed(options, `head ${options.args[0] ?? ""}`.trim())).dataEncryptionKey);
  switch (options.args[0]) {
    case "publish": {
      const published = await publishHead(client, options.store, { sealer, device: options.holder });
      printLine(`published ${headLine(published)}`);
      return;
    }
    case "compare": {
      const compared = await compareHeads(client, options.store, { sealer });
      if (compared.status === "unpublished") printLine(`no head published; this device's head: revision ${compared.head.revision}`);
      else printLine(`agrees: the published ${headLine(compared.published)} lies on this device's chain (head revision ${compared.head.revision})`);
      return;
    }
    default:
      throw new UsageError("head needs publish or compare");
  }
}
