-- screener review store, migration 0008: signing in to `screener serve`.
-- Only hashes are stored: a copy of the review file lets nobody sign in as anyone.

-- One-time sign-in links (`screener invite`): sha256 of the random token, single use (used_at
-- set when it signs someone in), valid until expires_at.
CREATE TABLE IF NOT EXISTS sign_in_link (
    token_hash   TEXT PRIMARY KEY,
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    used_at      TEXT
);

-- A reviewer's password (`screener invite --password`): scrypt with a random salt, and its
-- parameters, as "scrypt$n$r$p$salt$hash" (base64). One per reviewer; replaced by a new one.
CREATE TABLE IF NOT EXISTS sign_in_password (
    reviewer_id  INTEGER PRIMARY KEY REFERENCES reviewer (id),
    hash         TEXT NOT NULL,
    set_at       TEXT NOT NULL
);

-- Signed-in browsers: sha256 of the session cookie's random id. Kept in the review so a
-- restarted server keeps its reviewers signed in until expires_at or they sign out.
CREATE TABLE IF NOT EXISTS sign_in_session (
    id_hash      TEXT PRIMARY KEY,
    reviewer_id  INTEGER NOT NULL REFERENCES reviewer (id),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
