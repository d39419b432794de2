-- The store of many tills (docs/store.md), version 1. Applied by `cashier store migrate` only.
-- Every key starts with the merchant, so the tables can later be distributed by merchant.

-- The tills the store knows, and the PostgreSQL role each one ships as.
CREATE TABLE cashier.tills (
    merchant   text        NOT NULL CHECK (merchant ~ '^[A-Za-z0-9_-]{1,32}$'),
    till       text        NOT NULL CHECK (till ~ '^[A-Za-z0-9_-]{1,32}$'),
    role       name        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (merchant, till)
);

-- Every till's journal, seal by seal: each holds what the till wrote to attempts, transitions
-- and refunds, or a Z, with its link in the till's hash chain. Filed by the business day of the
-- attempt it is about, so a day's report reads one partition.
CREATE TABLE cashier.seals (
    merchant     text        NOT NULL,
    till         text        NOT NULL,
    business_day date        NOT NULL,
    seq          bigint      NOT NULL CHECK (seq > 0),
    kind         text        NOT NULL
                 CHECK (kind IN ('attempt', 'transition', 'refund', 'refund_state', 'z')),
    ref_id       bigint      NOT NULL,
    -- Exactly the text the till sealed: the hash is over these bytes.
    body         text        NOT NULL,
    prev_hash    text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash         text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    received_at  timestamptz NOT NULL DEFAULT now(),
    -- Read off the body by the engine, never sent: what the reports group by.
    attempt_id   bigint GENERATED ALWAYS AS (CASE
                     WHEN kind = 'attempt' THEN ref_id
                     WHEN kind IN ('transition', 'refund') THEN ((body::jsonb) ->> 'attempt_id')::bigint
                 END) STORED,
    state        text GENERATED ALWAYS AS (CASE
                     WHEN kind = 'transition' THEN (body::jsonb) ->> 'to_state'
                     WHEN kind IN ('refund', 'refund_state') THEN (body::jsonb) ->> 'state'
                 END) STORED,
    amount_fen   bigint GENERATED ALWAYS AS (CASE
                     WHEN kind IN ('attempt', 'refund') THEN ((body::jsonb) ->> 'amount_fen')::bigint
                 END) STORED,
    channel      text GENERATED ALWAYS AS (CASE
                     WHEN kind = 'attempt' THEN (body::jsonb) ->> 'channel'
                 END) STORED,
    -- The partition key is part of every unique key PostgreSQL can hold on a partitioned
    -- table; a seal's day follows from its content, so a seal sent again meets this key.
    PRIMARY KEY (merchant, till, business_day, seq)
) PARTITION BY RANGE (business_day);

-- Where each till's sequence stands: the resume point, gaps and links are looked up here.
CREATE INDEX seals_sequence ON cashier.seals (merchant, till, seq);
-- Rows of a day no monthly partition covers yet land here rather than being refused.
CREATE TABLE cashier.seals_default PARTITION OF cashier.seals DEFAULT;

-- A seal is checked on arrival by the engine itself: its hash must be the chain rule's over
-- its content (journal/chain.rs: SHA-256 of prev_hash, "\n", the seal's canonical text), and
-- an attempt's or a Z's day must be the one in its body.
CREATE FUNCTION cashier.seal_arrives() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.hash <> encode(sha256(convert_to(
           NEW.prev_hash || E'\n' || '{"seq":' || NEW.seq || ',"kind":"' || NEW.kind
           || '","ref_id":' || NEW.ref_id || ',"body":' || NEW.body || '}', 'UTF8')), 'hex') THEN
        RAISE EXCEPTION 'seal % of till %/%: its hash does not match its content',
            NEW.seq, NEW.merchant, NEW.till USING ERRCODE = 'data_exception';
    END IF;
    IF NEW.kind IN ('attempt', 'z')
       AND NEW.business_day IS DISTINCT FROM ((NEW.body::jsonb) ->> 'business_day')::date THEN
        RAISE EXCEPTION 'seal % of till %/%: filed under %, its body says %', NEW.seq,
            NEW.merchant, NEW.till, NEW.business_day, (NEW.body::jsonb) ->> 'business_day'
            USING ERRCODE = 'data_exception';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER seals_checked BEFORE INSERT ON cashier.seals
    FOR EACH ROW EXECUTE FUNCTION cashier.seal_arrives();

-- What the reports read, derived by the engine from the seals as they arrive (never written by a
-- till): each attempt with its identity and its last state, each refund part with its last state,
-- and each Z. A day's report then groups one row per attempt instead of sorting every transition.
CREATE TABLE cashier.attempts (
    merchant     text   NOT NULL,
    till         text   NOT NULL,
    business_day date   NOT NULL,
    attempt_id   bigint NOT NULL,
    -- From the attempt's seal (NULL while a hole keeps it away).
    channel      text,
    amount_fen   bigint,
    order_no     text,
    bill         text,
    created_at   text,
    -- From its last transition, and that transition's sequence.
    state        text,
    state_seq    bigint,
    PRIMARY KEY (merchant, till, business_day, attempt_id)
) PARTITION BY RANGE (business_day);
CREATE TABLE cashier.attempts_default PARTITION OF cashier.attempts DEFAULT;
-- The attempts still open, of every till: few, found without reading the day.
CREATE INDEX attempts_open ON cashier.attempts (merchant, business_day)
    WHERE state IN ('sending', 'pending', 'issuing', 'shown', 'unknown', 'abandoned');

CREATE TABLE cashier.refunds (
    merchant     text   NOT NULL,
    till         text   NOT NULL,
    business_day date   NOT NULL,
    refund_id    bigint NOT NULL,
    attempt_id   bigint,
    amount_fen   bigint,
    state        text,
    state_seq    bigint,
    PRIMARY KEY (merchant, till, business_day, refund_id)
);

CREATE TABLE cashier.closed_days (
    merchant     text   NOT NULL,
    till         text   NOT NULL,
    business_day date   NOT NULL,
    z_number     bigint NOT NULL,
    seq          bigint NOT NULL,
    PRIMARY KEY (merchant, till, business_day)
);

-- Once per INSERT statement (a batch), over the rows it wrote: a later state never gives way
-- to an earlier one, whatever order holes are filled in. SECURITY DEFINER: a till's role may
-- insert seals, not write what is derived from them.
CREATE FUNCTION cashier.seals_applied() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    INSERT INTO cashier.attempts AS a
        (merchant, till, business_day, attempt_id, channel, amount_fen, order_no, bill, created_at)
    SELECT merchant, till, business_day, ref_id, channel, amount_fen,
           (body::jsonb) ->> 'order_no', (body::jsonb) ->> 'bill', (body::jsonb) ->> 'created_at'
    FROM fresh WHERE kind = 'attempt'
    ON CONFLICT (merchant, till, business_day, attempt_id) DO UPDATE
        SET channel = EXCLUDED.channel, amount_fen = EXCLUDED.amount_fen,
            order_no = EXCLUDED.order_no, bill = EXCLUDED.bill, created_at = EXCLUDED.created_at;

    INSERT INTO cashier.attempts AS a (merchant, till, business_day, attempt_id, state, state_seq)
    SELECT DISTINCT ON (merchant, till, business_day, attempt_id)
           merchant, till, business_day, attempt_id, state, seq
    FROM fresh WHERE kind = 'transition'
    ORDER BY merchant, till, business_day, attempt_id, seq DESC
    ON CONFLICT (merchant, till, business_day, attempt_id) DO UPDATE
        SET state = EXCLUDED.state, state_seq = EXCLUDED.state_seq
        WHERE a.state_seq IS NULL OR a.state_seq < EXCLUDED.state_seq;

    INSERT INTO cashier.refunds AS r
        (merchant, till, business_day, refund_id, attempt_id, amount_fen, state, state_seq)
    SELECT merchant, till, business_day, ref_id, attempt_id, amount_fen, state, seq
    FROM fresh WHERE kind = 'refund'
    ON CONFLICT (merchant, till, business_day, refund_id) DO UPDATE
        SET attempt_id = EXCLUDED.attempt_id, amount_fen = EXCLUDED.amount_fen,
            state = CASE WHEN r.state_seq > EXCLUDED.state_seq THEN r.state ELSE EXCLUDED.state END,
            state_seq = greatest(r.state_seq, EXCLUDED.state_seq);

    INSERT INTO cashier.refunds AS r (merchant, till, business_day, refund_id, state, state_seq)
    SELECT DISTINCT ON (merchant, till, business_day, ref_id)
           merchant, till, business_day, ref_id, state, seq
    FROM fresh WHERE kind = 'refund_state'
    ORDER BY merchant, till, business_day, ref_id, seq DESC
    ON CONFLICT (merchant, till, business_day, refund_id) DO UPDATE
        SET state = EXCLUDED.state, state_seq = EXCLUDED.state_seq
        WHERE r.state_seq IS NULL OR r.state_seq < EXCLUDED.state_seq;

    INSERT INTO cashier.closed_days (merchant, till, business_day, z_number, seq)
    SELECT merchant, till, business_day, ref_id, seq FROM fresh WHERE kind = 'z'
    ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;

CREATE TRIGGER seals_applied AFTER INSERT ON cashier.seals
    REFERENCING NEW TABLE AS fresh
    FOR EACH STATEMENT EXECUTE FUNCTION cashier.seals_applied();

-- Every till's audit trail (docs/desk.md): approvals, refusals, lock-outs, Zs, settings. Its own
-- hash chain, beside the seals: `body` is the canonical JSON the till hashed.
CREATE TABLE cashier.audit (
    merchant    text        NOT NULL,
    till        text        NOT NULL,
    seq         bigint      NOT NULL CHECK (seq > 0),
    at          timestamptz NOT NULL,
    body        text        NOT NULL,
    prev_hash   text        NOT NULL CHECK (prev_hash ~ '^[0-9a-f]{64}$'),
    hash        text        NOT NULL CHECK (hash ~ '^[0-9a-f]{64}$'),
    received_at timestamptz NOT NULL DEFAULT now(),
    action      text GENERATED ALWAYS AS ((body::jsonb) ->> 'action') STORED,
    PRIMARY KEY (merchant, till, seq)
);

CREATE FUNCTION cashier.audit_arrives() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.hash <> encode(sha256(convert_to(NEW.prev_hash || E'\n' || NEW.body, 'UTF8')), 'hex')
       OR ((NEW.body::jsonb) ->> 'seq')::bigint IS DISTINCT FROM NEW.seq THEN
        RAISE EXCEPTION 'audit row % of till %/%: its hash does not match its content',
            NEW.seq, NEW.merchant, NEW.till USING ERRCODE = 'data_exception';
    END IF;
    RETURN NEW;
END $$;

CREATE TRIGGER audit_checked BEFORE INSERT ON cashier.audit
    FOR EACH ROW EXECUTE FUNCTION cashier.audit_arrives();

-- Where each till's shipping stands. `seq` is the high-water mark: every seal from 1 to `seq`
-- is here and linked, so a till (or the store) resumes after it, whatever either remembers.
CREATE TABLE cashier.heads (
    merchant    text        NOT NULL,
    till        text        NOT NULL,
    seq         bigint      NOT NULL DEFAULT 0,
    hash        text        NOT NULL
                DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    -- How far the till's journal went when it last shipped: a till behind has more.
    journal_seq bigint      NOT NULL DEFAULT 0,
    -- The last time the till reached the store, with or without rows.
    seen_at     timestamptz,
    -- The audit trail's own high-water mark.
    audit_seq   bigint      NOT NULL DEFAULT 0,
    audit_hash  text        NOT NULL
                DEFAULT '0000000000000000000000000000000000000000000000000000000000000000',
    PRIMARY KEY (merchant, till),
    FOREIGN KEY (merchant, till) REFERENCES cashier.tills
);

-- A seal that arrived again with other content than the one stored: never overwritten, kept
-- here for whoever settles it.
CREATE TABLE cashier.conflicts (
    merchant     text        NOT NULL,
    till         text        NOT NULL,
    -- seals or audit
    chain        text        NOT NULL DEFAULT 'seals',
    seq          bigint      NOT NULL,
    stored_hash  text        NOT NULL,
    arrived_hash text        NOT NULL,
    arrived_body text        NOT NULL,
    found_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conflicts_till ON cashier.conflicts (merchant, till, seq);

-- Row-level security: a till's role sees and writes only the rows of the tills registered
-- under its name; the reader role reads everything and writes nothing.
ALTER TABLE cashier.tills ENABLE ROW LEVEL SECURITY;
ALTER TABLE cashier.seals ENABLE ROW LEVEL SECURITY;
ALTER TABLE cashier.heads ENABLE ROW LEVEL SECURITY;
ALTER TABLE cashier.conflicts ENABLE ROW LEVEL SECURITY;
ALTER TABLE cashier.attempts ENABLE ROW LEVEL SECURITY;
ALTER TABLE cashier.audit ENABLE ROW LEVEL SECURITY;
ALTER TABLE cashier.refunds ENABLE ROW LEVEL SECURITY;
ALTER TABLE cashier.closed_days ENABLE ROW LEVEL SECURITY;

CREATE POLICY own_till ON cashier.tills FOR SELECT TO cashier_till USING (role = current_user);
CREATE POLICY own_rows ON cashier.seals FOR ALL TO cashier_till
    USING (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = seals.merchant AND t.till = seals.till AND t.role = current_user))
    WITH CHECK (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = seals.merchant AND t.till = seals.till AND t.role = current_user));
CREATE POLICY own_head ON cashier.heads FOR ALL TO cashier_till
    USING (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = heads.merchant AND t.till = heads.till AND t.role = current_user))
    WITH CHECK (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = heads.merchant AND t.till = heads.till AND t.role = current_user));
CREATE POLICY own_conflicts ON cashier.conflicts FOR ALL TO cashier_till
    USING (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = conflicts.merchant AND t.till = conflicts.till AND t.role = current_user))
    WITH CHECK (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = conflicts.merchant AND t.till = conflicts.till AND t.role = current_user));
CREATE POLICY own_attempts ON cashier.attempts FOR SELECT TO cashier_till
    USING (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = attempts.merchant AND t.till = attempts.till AND t.role = current_user));
CREATE POLICY own_refunds ON cashier.refunds FOR SELECT TO cashier_till
    USING (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = refunds.merchant AND t.till = refunds.till AND t.role = current_user));
CREATE POLICY own_closed_days ON cashier.closed_days FOR SELECT TO cashier_till
    USING (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = closed_days.merchant AND t.till = closed_days.till AND t.role = current_user));
CREATE POLICY own_audit ON cashier.audit FOR ALL TO cashier_till
    USING (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = audit.merchant AND t.till = audit.till AND t.role = current_user))
    WITH CHECK (EXISTS (SELECT 1 FROM cashier.tills t
                   WHERE t.merchant = audit.merchant AND t.till = audit.till AND t.role = current_user));
CREATE POLICY read_all ON cashier.audit FOR SELECT TO cashier_reader USING (true);
CREATE POLICY read_all ON cashier.attempts FOR SELECT TO cashier_reader USING (true);
CREATE POLICY read_all ON cashier.refunds FOR SELECT TO cashier_reader USING (true);
CREATE POLICY read_all ON cashier.closed_days FOR SELECT TO cashier_reader USING (true);
CREATE POLICY read_all ON cashier.tills FOR SELECT TO cashier_reader USING (true);
CREATE POLICY read_all ON cashier.seals FOR SELECT TO cashier_reader USING (true);
CREATE POLICY read_all ON cashier.heads FOR SELECT TO cashier_reader USING (true);
CREATE POLICY read_all ON cashier.conflicts FOR SELECT TO cashier_reader USING (true);

GRANT USAGE ON SCHEMA cashier TO cashier_till, cashier_reader;
GRANT SELECT ON cashier.schema_version TO cashier_till, cashier_reader;
GRANT SELECT ON cashier.tills TO cashier_till, cashier_reader;
-- No UPDATE or DELETE of seals for anyone but their owner: shipped rows are never changed.
GRANT SELECT, INSERT ON cashier.seals, cashier.audit TO cashier_till;
GRANT SELECT, INSERT, UPDATE ON cashier.heads TO cashier_till;
GRANT SELECT, INSERT ON cashier.conflicts TO cashier_till;
GRANT SELECT ON cashier.seals, cashier.audit, cashier.heads, cashier.conflicts TO cashier_reader;
GRANT SELECT ON cashier.attempts, cashier.refunds, cashier.closed_days
    TO cashier_till, cashier_reader;
