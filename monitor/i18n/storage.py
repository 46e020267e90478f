"""Messages about the SQLite database: errors when opening it and the fix for each cause."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "storage.open_failed": {
        "id": "Basis data {path} tidak dapat dibuka: {error}. {hint}",
        "en": "Cannot open the database {path}: {error}. {hint}",
    },
    "storage.not_accepting": {
        "id": (
            "Basis data tidak menerima tulisan baru karena antreannya penuh atau Pantau sedang "
            "berhenti. Periksa log untuk kesalahan penulisan basis data sebelumnya."
        ),
        "en": (
            "The database accepts no new writes because its queue is full or Pantau is "
            "stopping. Look in the log for earlier database write errors."
        ),
    },
    "storage.directory_missing": {
        "id": (
            "Direktori basis data {directory} tidak ada. Buat direktori itu, atau atur "
            "[daemon] database ke berkas di direktori lain."
        ),
        "en": (
            "The database directory {directory} does not exist. Create it or set "
            "[daemon] database to a file in another directory."
        ),
    },
    "storage.schema_newer": {
        "id": (
            "Basis data {path} memakai skema versi {found}, sedangkan versi Pantau ini hanya "
            "mendukung sampai versi {supported}. Perbarui Pantau, atau atur [daemon] database "
            "ke berkas lain."
        ),
        "en": (
            "The database {path} has schema version {found}, but this version of Pantau "
            "supports versions up to {supported}. Upgrade Pantau or set [daemon] database "
            "to another file."
        ),
    },
    "storage.wal_unavailable": {
        "id": (
            "Basis data {path} tidak dapat memakai mode WAL (mode jurnal: {mode}). Letakkan "
            "berkas di sistem berkas lokal, dan pastikan tidak ada proses lain yang membukanya "
            "dalam mode jurnal lain."
        ),
        "en": (
            "The database {path} cannot use WAL mode (journal mode: {mode}). Put the file on "
            "a local file system, and make sure that no other process has it open in another "
            "journal mode."
        ),
    },
    "storage.hint.permission": {
        "id": (
            "Pastikan berkas dan direktorinya ada dan dapat ditulis oleh pengguna yang "
            "menjalankan Pantau."
        ),
        "en": (
            "Check that the file and its directory exist and are writable by the user "
            "that runs Pantau."
        ),
    },
    "storage.hint.disk_full": {
        "id": "Kosongkan ruang pada sistem berkas yang memuat berkas ini.",
        "en": "Free space on the file system that contains the file.",
    },
    "storage.hint.not_a_database": {
        "id": (
            "Pindahkan berkas itu ke tempat lain, atau atur [daemon] database ke berkas lain. "
            "Pantau membuat basis data baru bila berkasnya belum ada."
        ),
        "en": (
            "Move the file aside or set [daemon] database to another file. Pantau creates "
            "a new database when the file does not exist."
        ),
    },
    "storage.hint.locked": {
        "id": (
            "Proses lain sedang memegang kunci tulis pada berkas ini. Hentikan proses itu "
            "(misalnya shell sqlite3) bila keadaan ini berlanjut."
        ),
        "en": (
            "Another process holds a write lock on the file. Stop that process (an sqlite3 "
            "shell, for example) if this continues."
        ),
    },
    "storage.hint.io_error": {
        "id": "Periksa disk dan log kernel (dmesg).",
        "en": "Check the disk and the kernel log (dmesg).",
    },
    "storage.hint.unknown": {
        "id": "Periksa galat tersebut serta izin akses berkas dan direktorinya.",
        "en": "Check the error and the permissions of the file and its directory.",
    },
}
