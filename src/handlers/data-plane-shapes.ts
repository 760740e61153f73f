// Stored rows of the data-plane stores → contract messages (Honcho's
// Workspace, Peer and Session response models).
import { create, type JsonObject } from "@bufbuild/protobuf";
import { ListValueSchema, type ListValue } from "@bufbuild/protobuf/wkt";
import { PeerSchema, SessionSchema, WorkspaceSchema, type Peer, type Session, type Workspace } from "../../gen/honcho/v3/resources_pb.js";
import type { ListedRow } from "../store/list-reads.js";
import { timestampFromMicros } from "./shapes.js";

export const workspaceOf = (r: ListedRow): Workspace =>
  create(WorkspaceSchema, { id: r.name, metadata: r.metadata as JsonObject, configuration: r.configuration as JsonObject, createdAt: timestampFromMicros(BigInt(r.micros)) });

export const peerOf = (r: ListedRow): Peer =>
  create(PeerSchema, {
    id: r.name,
    workspaceId: r.workspace_name ?? "",
    createdAt: timestampFromMicros(BigInt(r.micros)),
    metadata: r.metadata as JsonObject,
    configuration: r.configuration as JsonObject,
  });

export const sessionOf = (r: ListedRow): Session =>
  create(SessionSchema, {
    id: r.name,
    isActive: r.is_active ?? true,
    workspaceId: r.workspace_name ?? "",
    metadata: r.metadata as JsonObject,
    configuration: r.configuration as JsonObject,
    createdAt: timestampFromMicros(BigInt(r.micros)),
  });

/** A list of strings as a google.protobuf.ListValue (a nullable list in Honcho's JSON). */
export const stringList = (items: string[]): ListValue => create(ListValueSchema, { values: items.map((s) => ({ kind: { case: "stringValue" as const, value: s } })) });
