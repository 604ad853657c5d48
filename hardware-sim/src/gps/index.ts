/** The simulated GPS receiver (rescard-sim gps) as a library, for tests and the demo. */
export { SimGps, type SimGpsOptions } from './sim-gps.js';
export { runFeed, lapFrames, realTime, type FeedIo, type FeedOptions, type FeedSource, type FeedSummary } from './gps-feed.js';
export { driveRoute, bearingDeg, distanceM, type DriveOptions, type Point, type TimedSample } from './route-drive.js';
export { rmcSentence, ggaSentence, formatCoordinate, formatUtc, checksumHex, type GpsSample, type SimTalker } from './nmea-encode.js';
export { parseSimRoute, readSimRoute, type SimRoute, type SimStop } from './sim-route.js';
export { parseNmeaLog, readNmeaLog, logFrames, MAX_GAP_MS, type LogEpoch, type FeedFrame } from './nmea-log.js';
export { openSerialWriter, type SerialWriter } from './serial-writer.js';
