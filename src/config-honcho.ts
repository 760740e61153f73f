// Honcho's own settings that change what a write stores, read from the
// environment variables Honcho itself reads, with Honcho's defaults
// (src/config.py in plastic-labs/honcho). Beside Honcho, give the service the
// same environment as Honcho's API process: the configuration of queued work
// is resolved by the writer, not by the deriver.
//
// pydantic-settings' rules: names are case-insensitive, and each group's
// field can be set as GROUP_FIELD (the group's env_prefix) or GROUP__FIELD
// (the application's nested delimiter), the latter winning when both are set.

export interface HonchoSettings {
  /** DB_SCHEMA: the schema holding Honcho's tables */
  dbSchema: string;
  /** DERIVER_ENABLED: reasoning on unless configured off */
  deriverEnabled: boolean;
  /** PEER_CARD_ENABLED */
  peerCardEnabled: boolean;
  /** SUMMARY_ENABLED, SUMMARY_MESSAGES_PER_SHORT_SUMMARY, SUMMARY_MESSAGES_PER_LONG_SUMMARY */
  summaryEnabled: boolean;
  messagesPerShortSummary: number;
  messagesPerLongSummary: number;
  /** DREAM_ENABLED */
  dreamEnabled: boolean;
  /** EMBED_MESSAGES: write pending message_embeddings rows (when the table exists) */
  embedMessages: boolean;
  /** EMBEDDING_MAX_INPUT_TOKENS (at most 2048 with the gemini transport): cl100k tokens per embedding chunk */
  embeddingChunkTokens: number;
  /** DERIVER_MAX_CUSTOM_INSTRUCTIONS_TOKENS: o200k tokens allowed in reasoning.custom_instructions */
  maxCustomInstructionsTokens: number;
  /** SESSION_OBSERVERS_LIMIT: active members of a session with observe_others at most (Honcho's ObserverException past it) */
  sessionObserversLimit: number;
  /** MAX_FILE_SIZE: bytes an uploaded file may have (messages/upload answers 413 past it) */
  maxFileSize: number;
  /** Honcho's cache of workspaces, peers and sessions, whose entries a write here must drop (store/honcho-cache.ts) */
  cache: HonchoCacheSettings;
}

export interface HonchoCacheSettings {
  /** CACHE_ENABLED: Honcho keeps its entries in Redis (false: in each of its processes' memory, out of reach) */
  enabled: boolean;
  /** CACHE_URL */
  url: string;
  /** CACHE_NAMESPACE, else NAMESPACE: the first part of every key */
  namespace: string;
  /** CACHE_CLUSTER: CACHE_URL is a Redis Cluster */
  cluster: boolean;
}

type Env = Record<string, string | undefined>;

export function loadHonchoSettings(env: Env): HonchoSettings {
  const lower = new Map(Object.entries(env).map(([k, v]) => [k.toLowerCase(), v]));
  const read = (group: string, field: string): string | undefined => {
    const names = group ? [`${group}__${field}`, `${group}_${field}`] : [field];
    for (const n of names) {
      const v = lower.get(n.toLowerCase());
      if (v !== undefined && v !== "") return v;
    }
    return undefined;
  };
  const bool = (group: string, field: string, fallback: boolean) => parseBool(`${group ? `${group}_` : ""}${field}`, read(group, field), fallback);
  const int = (group: string, field: string, fallback: number, gt: number, le: number) => {
    const name = `${group ? `${group}_` : ""}${field}`;
    const raw = read(group, field);
    if (raw === undefined) return fallback;
    const n = Number(raw.trim());
    if (!Number.isInteger(n) || n <= gt || n > le) throw new Error(`${name} must be an integer greater than ${gt} and at most ${le}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const transport = (read("EMBEDDING", "MODEL_CONFIG__TRANSPORT") ?? "openai").trim().toLowerCase();
  const maxInput = int("EMBEDDING", "MAX_INPUT_TOKENS", 8192, 0, 1_000_000);
  return {
    dbSchema: read("DB", "SCHEMA") ?? "public",
    deriverEnabled: bool("DERIVER", "ENABLED", true),
    peerCardEnabled: bool("PEER_CARD", "ENABLED", true),
    summaryEnabled: bool("SUMMARY", "ENABLED", true),
    messagesPerShortSummary: int("SUMMARY", "MESSAGES_PER_SHORT_SUMMARY", 20, 0, 100),
    messagesPerLongSummary: int("SUMMARY", "MESSAGES_PER_LONG_SUMMARY", 60, 0, 500),
    dreamEnabled: bool("DREAM", "ENABLED", true),
    embedMessages: bool("", "EMBED_MESSAGES", true),
    embeddingChunkTokens: transport === "gemini" ? Math.min(maxInput, 2048) : maxInput,
    maxCustomInstructionsTokens: int("DERIVER", "MAX_CUSTOM_INSTRUCTIONS_TOKENS", 2000, -1, 2000),
    sessionObserversLimit: int("", "SESSION_OBSERVERS_LIMIT", 10, 0, Number.MAX_SAFE_INTEGER),
    maxFileSize: int("", "MAX_FILE_SIZE", 5_242_880, 0, Number.MAX_SAFE_INTEGER),
    cache: {
      enabled: bool("CACHE", "ENABLED", false),
      url: read("CACHE", "URL") ?? "redis://localhost:6379/0?suppress=true",
      // AppSettings.propagate_namespace: the top-level NAMESPACE unless CACHE's own is set
      namespace: read("CACHE", "NAMESPACE") ?? read("", "NAMESPACE") ?? "honcho",
      cluster: bool("CACHE", "CLUSTER", false),
    },
  };
}

// pydantic's spellings of a boolean.
export function parseBool(name: string, raw: string | undefined, fallback: boolean): boolean {
  const v = raw?.trim().toLowerCase();
  if (v === undefined || v === "") return fallback;
  if (["1", "true", "t", "yes", "y", "on"].includes(v)) return true;
  if (["0", "false", "f", "no", "n", "off"].includes(v)) return false;
  throw new Error(`${name} must be true or false, got ${JSON.stringify(raw)}`);
}

/** Honcho's global defaults as the resolved configuration they start from (src/utils/config_helpers.py get_configuration). */
export function defaultConfiguration(s: HonchoSettings) {
  return {
    reasoning: { enabled: s.deriverEnabled },
    peer_card: { use: s.peerCardEnabled, create: s.peerCardEnabled },
    summary: { enabled: s.summaryEnabled, messages_per_short_summary: s.messagesPerShortSummary, messages_per_long_summary: s.messagesPerLongSummary },
    dream: { enabled: s.dreamEnabled },
  };
}
