// The one place where every protocol's bearer token is checked, before the
// request is validated (FastAPI runs Honcho's require_auth dependency first).
import { authenticate, authorize, type AuthSettings } from "../domain/auth/index.js";
import type { Policy } from "../handlers/types.js";

export type AuthGate = (policy: Policy | undefined, headers: Headers, fields: Record<string, string>) => Promise<void>;

export function createAuthGate(settings: AuthSettings, isActiveMember: (workspace: string, session: string, peer: string) => Promise<boolean>): AuthGate {
  return async (policy, headers, fields) => {
    if (!settings.useAuth || !policy) return;
    const claims = await authenticate(headers.get("authorization"), settings.jwtSecret!);
    const target = policy.target(fields);
    await authorize(claims, policy.access, target, (peer) => isActiveMember(target.workspace, target.session ?? "", peer));
  };
}
