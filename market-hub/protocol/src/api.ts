import { z } from "zod";
import { CommunityId, HouseholdId, MeterId } from "./ids.js";
import { Source } from "./market.js";
import { UtcInstant } from "./time.js";
import { TOKEN_SCOPES } from "./tokens.js";

/** REST bodies of the hub, beyond the market payloads (docs/protocol.md, "Hub API"). */

export const Role = z.enum(["operator", "participant", "observer"]);
export type Role = z.infer<typeof Role>;

/** An e-mail address as RFC 5321 limits it: at most 64 characters before the @, 254 in all. */
export const Email = z
  .email({ message: "must be an e-mail address" })
  .max(254)
  .regex(/^[^@]{1,64}@/, { message: "must have at most 64 characters before the @" });
export const Password = z
  .string()
  .min(10, { message: "must be at least 10 characters" })
  .max(200, { message: "must be at most 200 characters" });

export const Registration = z.object({ email: Email, password: Password });
export type Registration = z.infer<typeof Registration>;

export const Login = z.object({ email: Email, password: z.string().min(1, { message: "is required" }) });
export type Login = z.infer<typeof Login>;

export const TokenPair = z.object({
  accessToken: z.string(),
  /** Valid once: each refresh returns a new pair and retires the old refresh token. */
  refreshToken: z.string(),
  expiresIn: z.number().int().positive(),
  tokenType: z.literal("Bearer"),
});
export type TokenPair = z.infer<typeof TokenPair>;

export const RefreshRequest = z.object({ refreshToken: z.string().min(1, { message: "is required" }) });

export const HouseholdRef = z.object({ communityId: CommunityId, householdId: HouseholdId });
export type HouseholdRef = z.infer<typeof HouseholdRef>;

export const TokenScope = z.enum(TOKEN_SCOPES);
export type TokenScope = z.infer<typeof TokenScope>;
export { isHouseholdToken, TOKEN_PREFIX, TOKEN_SCOPE_LABEL, TOKEN_SCOPE_NAME, TOKEN_SCOPES } from "./tokens.js";

export const Me = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("user"),
    userId: z.number().int(),
    email: z.string(),
    role: Role,
    households: z.array(HouseholdRef),
  }),
  z.object({
    kind: z.literal("device"),
    tokenId: z.number().int(),
    communityId: CommunityId,
    householdId: HouseholdId,
    scope: TokenScope,
  }),
]);
export type Me = z.infer<typeof Me>;

export const DeviceTokenRequest = z.object({
  name: z.string().min(1).max(80),
  scope: TokenScope.default("device").describe(
    "device: orders, readings and limits; read: reading only; home-assistant: Home Assistant's MQTT login (the household's entities, no orders or readings)",
  ),
});
export const DeviceToken = z.object({
  id: z.number().int(),
  communityId: CommunityId,
  householdId: HouseholdId,
  name: z.string(),
  scope: TokenScope,
  createdAt: UtcInstant,
  revokedAt: UtcInstant.nullable(),
});
export type DeviceToken = z.output<typeof DeviceToken>;
/** Returned once, when the token is made: the hub keeps only its hash. */
export const DeviceTokenCreated = DeviceToken.extend({ token: z.string() });
export type DeviceTokenCreated = z.output<typeof DeviceTokenCreated>;

export const MeterRegisters = z.enum(["import-export", "import", "export"]);

export const MeterRegistration = z.object({
  meterId: MeterId,
  householdId: HouseholdId,
  registers: MeterRegisters.default("import-export"),
  /** What the household generates behind this meter, if anything. */
  source: Source.nullable().default(null),
});
export type MeterRegistration = z.output<typeof MeterRegistration>;
export type MeterRegistrationInput = z.input<typeof MeterRegistration>;

export const Meter = z.object({
  meterId: MeterId,
  communityId: CommunityId,
  householdId: HouseholdId,
  registers: MeterRegisters,
  source: Source.nullable(),
  linked: z.boolean(),
});
export type Meter = z.output<typeof Meter>;

/** The PIN is shown once, at registration; the operator hands it to the household. */
export const MeterRegistered = Meter.extend({ pin: z.string().regex(/^\d{6}$/) });

export const MeterLink = z.object({
  meterId: MeterId,
  pin: z.string().regex(/^\d{6}$/, { message: "must be the 6-digit PIN from the operator" }),
});
