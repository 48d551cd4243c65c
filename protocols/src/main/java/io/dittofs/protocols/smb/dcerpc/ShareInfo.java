package io.dittofs.protocols.smb.dcerpc;

/**
 * One share as listed by srvsvc (MS-SRVS 2.2.4.23 SHARE_INFO_1). Immutable.
 *
 * @param type 0 for a disk share, 0x80000003 for IPC$ (STYPE_IPC | STYPE_SPECIAL)
 */
public record ShareInfo(String name, int type, String comment) {
}
