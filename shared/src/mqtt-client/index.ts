/**
 * @rescard/shared/mqtt-client: the devices' one MQTT connection (terminal MessageBus, gateway
 * upstream) with its reconnect backoff and its error. See mqtt-connection.ts for the behaviour.
 */
export { nominalDelayMs, reconnectDelayMs, type BackoffOptions } from './backoff.js';
export { type ConnectSettings } from './mqtt-js.js';
export { MqttConnection, type MqttConnectionOptions, type MqttLog, type MqttMessageHandler, type MqttPublishOptions } from './mqtt-connection.js';
export { MqttError, type MqttErrorCode } from './mqtt-error.js';
