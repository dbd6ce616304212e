-- SQLite: DATETIME columns hold UTC text ("2006-01-02 15:04:05.999999999+00:00") written
-- by the driver; the declared type makes it parse them back into time.Time.
-- +goose Up
CREATE TABLE shops (
    id                       INTEGER PRIMARY KEY,
    domain                   TEXT NOT NULL,
    -- access_token and refresh_token hold "v1:" + base64(nonce||AES-256-GCM
    -- ciphertext), never plaintext; NULL once uninstalled.
    access_token             TEXT,
    scope                    TEXT NOT NULL DEFAULT '',
    refresh_token            TEXT,
    access_token_expires_at  DATETIME,
    refresh_token_expires_at DATETIME,
    installed_at             DATETIME NOT NULL,
    uninstalled_at           DATETIME,
    needs_reauth             BOOLEAN NOT NULL DEFAULT 0,
    currency                 TEXT NOT NULL DEFAULT '',
    timezone                 TEXT NOT NULL DEFAULT '',
    created_at               DATETIME NOT NULL,
    updated_at               DATETIME NOT NULL
);
CREATE UNIQUE INDEX shops_domain_key ON shops (domain);

-- +goose Down
DROP TABLE shops;
