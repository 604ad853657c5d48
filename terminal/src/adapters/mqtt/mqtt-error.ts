/**
 * MqttError: the MQTT adapter's one failure. A RescardError with the MQTT codes, which live in
 * the one catalogue (shared/src/errors.ts). Callers of the MessageBus never see mqtt.js errors.
 */
import { RescardError, type ErrorCode } from '@rescard/shared';

/** The MQTT codes of the catalogue. */
export type MqttErrorCode = Extract<ErrorCode, `MQTT_${string}`>;

/** A RescardError restricted to this adapter's codes (one catalogue: shared/src/errors.ts). */
export class MqttError extends RescardError {
  constructor(code: MqttErrorCode, message: string, details: Record<string, unknown> = {}, options?: { cause?: unknown }) {
    super(code, message, details, options);
  }
}
