// Honcho's settings read as Honcho's pydantic-settings reads them: its names,
// case-insensitive, GROUP__FIELD over GROUP_FIELD, its defaults and bounds.
import { describe, expect, it } from "vitest";
import { defaultConfiguration, loadHonchoSettings } from "../../src/config-honcho.js";

describe("Honcho's settings", () => {
  it("default to Honcho's defaults", () => {
    const s = loadHonchoSettings({});
    expect(s).toEqual({
      dbSchema: "public", deriverEnabled: true, peerCardEnabled: true, summaryEnabled: true,
      messagesPerShortSummary: 20, messagesPerLongSummary: 60, dreamEnabled: true, embedMessages: true,
      embeddingChunkTokens: 8192, maxCustomInstructionsTokens: 2000, sessionObserversLimit: 10, maxFileSize: 5_242_880,
      cache: { enabled: false, url: "redis://localhost:6379/0?suppress=true", namespace: "honcho", cluster: false },
    });
    expect(defaultConfiguration(s)).toEqual({
      reasoning: { enabled: true },
      peer_card: { use: true, create: true },
      summary: { enabled: true, messages_per_short_summary: 20, messages_per_long_summary: 60 },
      dream: { enabled: true },
    });
  });

  it("read Honcho's variable names, in any case, the nested form winning", () => {
    const s = loadHonchoSettings({
      deriver_enabled: "false", SUMMARY_MESSAGES_PER_SHORT_SUMMARY: "15", SUMMARY__MESSAGES_PER_SHORT_SUMMARY: "25",
      DB_SCHEMA: "honcho", EMBED_MESSAGES: "off", PEER_CARD__ENABLED: "0", DREAM_ENABLED: "no",
    });
    expect(s).toMatchObject({ deriverEnabled: false, messagesPerShortSummary: 25, dbSchema: "honcho", embedMessages: false, peerCardEnabled: false, dreamEnabled: false });
  });

  it("read Honcho's cache settings, its namespace from NAMESPACE unless CACHE_NAMESPACE is set", () => {
    expect(loadHonchoSettings({ CACHE_ENABLED: "true", CACHE_URL: "rediss://cache:6380/2", NAMESPACE: "prod", CACHE__CLUSTER: "1" }).cache)
      .toEqual({ enabled: true, url: "rediss://cache:6380/2", namespace: "prod", cluster: true });
    expect(loadHonchoSettings({ NAMESPACE: "prod", CACHE_NAMESPACE: "shared" }).cache.namespace).toBe("shared");
    expect(() => loadHonchoSettings({ CACHE_ENABLED: "maybe" })).toThrow("CACHE_ENABLED must be true or false");
  });

  it("cap gemini's embedding input at 2048 tokens, as Honcho's embedding client does", () => {
    expect(loadHonchoSettings({ EMBEDDING_MODEL_CONFIG__TRANSPORT: "gemini" }).embeddingChunkTokens).toBe(2048);
    expect(loadHonchoSettings({ EMBEDDING_MODEL_CONFIG__TRANSPORT: "gemini", EMBEDDING_MAX_INPUT_TOKENS: "1000" }).embeddingChunkTokens).toBe(1000);
    expect(loadHonchoSettings({ EMBEDDING_MAX_INPUT_TOKENS: "4000" }).embeddingChunkTokens).toBe(4000);
  });

  it("refuse what Honcho refuses, naming the variable", () => {
    expect(() => loadHonchoSettings({ SUMMARY_MESSAGES_PER_SHORT_SUMMARY: "0" })).toThrow(/SUMMARY_MESSAGES_PER_SHORT_SUMMARY must be an integer greater than 0 and at most 100/);
    expect(() => loadHonchoSettings({ SUMMARY_MESSAGES_PER_LONG_SUMMARY: "501" })).toThrow(/at most 500/);
    expect(() => loadHonchoSettings({ DERIVER_ENABLED: "maybe" })).toThrow(/DERIVER_ENABLED must be true or false/);
  });
});
