"""Texts of the SNMP probe reasons that the other probes do not share."""

MESSAGES = {
    "reason.timeout": {
        "id": "agen SNMP tidak merespons dalam batas waktu; periksa alamat, port, dan community atau pengguna SNMPv3",
        "en": "the SNMP agent did not respond within the timeout; check the address, port and community or SNMPv3 user",
    },
    "reason.auth_error": {
        "id": "autentikasi SNMPv3 gagal; periksa nama pengguna, tingkat keamanan, protokol, dan kunci",
        "en": "SNMPv3 authentication failed; check the user name, security level, protocols and keys",
    },
    "reason.refused": {
        "id": "port UDP agen SNMP tertutup (ICMP port unreachable); agen tidak berjalan atau memakai port lain",
        "en": "the SNMP agent's UDP port is closed (ICMP port unreachable); the agent is not running or uses another port",
    },
    "reason.decode_error": {
        "id": "sebagian nilai SNMP tidak dapat dibaca; nilai lainnya tetap disimpan",
        "en": "some SNMP values could not be decoded; the other values are kept",
    },
    "reason.walk_error": {
        "id": "penelusuran tabel SNMP berhenti lebih awal (OID tidak naik atau batas tercapai); baris yang sudah terbaca tetap disimpan",
        "en": "an SNMP table walk ended early (OID not increasing or a limit reached); the rows already read are kept",
    },
}
