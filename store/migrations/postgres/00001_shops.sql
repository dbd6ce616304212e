-- +goose Up
CREATE TABLE shops (
    id                       BIGSERIAL PRIMARY KEY,
    domain                   TEXT NOT NULL,
    -- access_token and refresh_token hold "v1:" + base64(nonce||AES-256-GCM
    -- ciphertext), never plaintext; NULL once uninstalled.
    access_token             TEXT,
    scope                    TEXT NOT NULL DEFAULT '',
    refresh_token            TEXT,
    access_token_expires_at  TIMESTAMPTZ,
    refresh_token_expires_at TIMESTAMPTZ,
    installed_at             TIMESTAMPTZ NOT NULL,
    uninstalled_at           TIMESTAMPTZ,
    needs_reauth             BOOLEAN NOT NULL DEFAULT FALSE,
    currency                 TEXT NOT NULL DEFAULT '',
    timezone                 TEXT NOT NULL DEFAULT '',
    created_at               TIMESTAMPTZ NOT NULL,
    updated_at               TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX shops_domain_key ON shops (domain);

-- +goose Down
DROP TABLE shops;
