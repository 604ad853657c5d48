export { caExists, caPaths, createCa, loadCa, loadOrCreateCa, type ProjectCa } from './ca.js';
export { brokerNames, issueBrokerCertificate, loadOrIssueBrokerTls, type BrokerTls } from './broker-certificate.js';
export { checkCsr, deviceUri, issueDeviceCertificate, type IssuedCertificate } from './device-certificate.js';
export { gateVerdict, type GateRefusal, type GateVerdict, type PeerCertificate } from './device-gate.js';
export { deviceIdOfToken, hashEnrolmentToken, newEnrolmentToken, TOKEN_PATTERN } from './enrolment-token.js';
export { PkiService, peerOf, type Enrolled, type PkiServiceDeps, type RenewRequest, type TokenRequest } from './pki-service.js';
export { PkiStore, type CertificateRecord, type DeviceKind, type DeviceProfile, type DeviceRecord, type DeviceSite } from './pki-store.js';
export { renewalMessage, signRenewal, verifyRenewal } from './renewal-proof.js';
