/**
 * MqttError: the MQTT adapter's one failure, with a stable code. Mirrors RescardError's shape;
 * it lives here until the code is added to shared/src/errors.ts (as GpsError does). Callers
 * of the MessageBus never see mqtt.js error types.
 */
export const MQTT_ERROR_CODES = {
  MQTT_UNAVAILABLE: 'the MQTT broker (gateway or server) is not connected, unreachable, or refused the message',
} as const;

export type MqttErrorCode = keyof typeof MQTT_ERROR_CODES;

export class MqttError extends Error {
  override readonly name = 'MqttError';

  constructor(
    readonly code: MqttErrorCode,
    message: string,
    readonly details: Readonly<Record<string, unknown>> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  toJSON(): { code: MqttErrorCode; message: string; details: Readonly<Record<string, unknown>> } {
    return { code: this.code, message: this.message, details: this.details };
  }
}
