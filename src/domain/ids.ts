// Public ids are 21-character nanoids, as in Honcho (public_id, workspace/peer/session ids).
import { nanoid } from "nanoid";

export const newId = (): string => nanoid();
