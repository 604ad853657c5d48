/**
 * MqttError: the MQTT client's one failure. A RescardError with the MQTT codes, which live in
 * the one catalogue (shared/src/errors.ts). Callers of the client never see mqtt.js errors.
 */
import { RescardError, type ErrorCode } from '../errors.js';

/** The MQTT codes of the catalogue. */
export type MqttErrorCode = Extract<ErrorCode, `MQTT_${string}`>;

/** A RescardError restricted to the MQTT codes (one catalogue: shared/src/errors.ts). */
export class MqttError extends RescardError {
  constructor(code: MqttErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
