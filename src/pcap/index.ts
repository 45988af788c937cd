/**
 * `pcap/`: reading and writing capture files (pcap in both byte orders and precisions,
 * pcapng with any number of sections and interfaces), the link-type table, and the
 * conversion of captured frames to the Ethernet frames XDP and tc programs see. Browser
 * safe; reading from files and Node streams is in `./node.js`.
 */
export { PcapError, PcapErrorCode, type PcapErrorCodeValue, type PcapErrorOptions } from './errors.js';
export { LinkType, type LinkTypeName, linkTypeName, linkTypeFromName } from './linktype.js';
export type { ByteOrder } from './bytes.js';
export {
  BlockType, OptionCode,
  type PacketRecord, type CaptureInterface, type CaptureSection, type PcapngOption,
} from './record.js';
export type { PcapHeader } from './pcap-read.js';
export { DEFAULT_MAX_RECORD_LENGTH } from './state.js';
export {
  CaptureDecoder, detectFormat, readCapture, captureRecords, captureRecordsAsync,
  type Capture, type CaptureFormat, type DecodeOptions,
} from './decoder.js';
export {
  writePcap, writePcapng, pcapHeaderBytes, pcapRecordBytes, pcapngHeaderBytes, pcapngPacketBytes,
  type WritePacket, type PcapWriteOptions, type PcapngWriteOptions, type PcapngInterfaceOptions,
} from './writer.js';
export {
  EtherType, etherTypeName, toEthernet, recordToEthernet,
  type EthernetFrame, type ToEthernetOptions, type CookedHeader,
} from './ethernet.js';
