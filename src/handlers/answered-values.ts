// The metadata and configuration Honcho answers a write with: the objects its
// ORM session holds after the commit (expire_on_commit=False), not the row
// read back. A value the call gave that changed the row is the request's own
// dict (its keys' order, its numbers as json.loads made them), and a
// configuration merged into a workspace's or session's is
// {**stored, **given}; a value the call left as it was is the row's, as
// PostgreSQL gives it (jsonb's key order, numerics as stored).
import { mergedAsPython } from "../json/exact-numbers.js";
import { changedConfiguration, changedMetadata, type Prior } from "../store/resource-updates.js";

type Values = { metadata: Record<string, unknown>; configuration: Record<string, unknown> };
type Given = { metadata: object | null; configuration: object | null };

/** The row with the metadata and configuration Honcho would answer in place of its own. */
export function answeredRow<R extends Values>(row: R, given: Given, prior: Prior): R {
  const metadata = changedMetadata(prior, given) ? given.metadata : row.metadata;
  let configuration: object = row.configuration;
  if (changedConfiguration(prior, given)) {
    configuration = prior.configuration === null ? given.configuration : mergedAsPython(prior.configuration, given.configuration);
  }
  return { ...row, metadata, configuration };
}

/** What a get-or-create that never changes an existing row found (Honcho's workspaces). */
export const createdOrLeft = (created: boolean): Prior => ({ created, sameMetadata: !created, sameConfiguration: !created, configuration: null });
