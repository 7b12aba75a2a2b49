//! Secret masking, applied by `collect` to every value as it is read, so that no secret value ever
//! reaches a Snapshot, a report or a terminal.
//!
//! A value is secret when its *name* says so (`DB_PASSWORD`, `API_KEY`, `--token`), or when the value
//! itself has a provider's token format (AWS key ids, GitHub/GitLab/Slack tokens, private keys, JWTs,
//! passwords in URLs). The masked form keeps two characters at each end of long values (`hu****ab`)
//! so an operator can tell which credential it is without learning it.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use regex::Regex;

/// One masked value: where it was and why, never the value itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Masked {
    /// Variable, label or flag name (`DB_PASSWORD`), or the token kind for free text.
    pub key: String,
    /// Why it was judged secret.
    pub reason: String,
    /// The masked form that replaced the value.
    pub masked: String,
}

/// The masked form of a secret: `hu****ab` for values of 12 characters or more, `****` otherwise.
pub fn mask(value: &str) -> String {
    let chars: Vec<char> = value.chars().collect();
    if chars.len() >= 12 {
        let head: String = chars[..2].iter().collect();
        let tail: String = chars[chars.len() - 2..].iter().collect();
        format!("{head}****{tail}")
    } else {
        "****".to_string()
    }
}

/// Name parts that mark a variable, label or flag as holding a secret.
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "SECRETS",
    "TOKEN",
    "APIKEY",
    "CREDENTIAL",
    "CREDENTIALS",
    "PASSPHRASE",
    "DSN",
    "AUTHORIZATION",
    "HTPASSWD",
    "BASICAUTH",
];

/// Words that, before `KEY`, make it a secret key (`API_KEY`, `PRIVATE_KEY`).
const KEY_QUALIFIERS: &[&str] = &[
    "API",
    "ACCESS",
    "PRIVATE",
    "SECRET",
    "AUTH",
    "ENCRYPTION",
    "SIGNING",
    "MASTER",
    "CLIENT",
    "LICENSE",
    "SESSION",
];

/// Last name parts that make a secret-sounding name describe something else (`PASSWORD_FILE`).
const NOT_SECRET_SUFFIXES: &[&str] = &[
    "FILE",
    "FILES",
    "USERSFILE",
    "PATH",
    "DIR",
    "ENABLED",
    "ENABLE",
    "LENGTH",
    "TTL",
    "TIMEOUT",
    "EXPIRY",
    "EXPIRES",
    "HOST",
    "PORT",
    "USER",
    "USERNAME",
    "ALGORITHM",
    "TYPE",
    "POLICY",
    "ID",
];

/// Why a name marks its value as a secret, or `None`.
pub fn secret_name_reason(name: &str) -> Option<&'static str> {
    let upper = name.trim_start_matches('-').to_ascii_uppercase();
    // The shell's working-directory variables are not passwords.
    if upper == "PWD" || upper == "OLDPWD" {
        return None;
    }
    let words: Vec<&str> = upper
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words
        .last()
        .is_some_and(|last| NOT_SECRET_SUFFIXES.contains(last))
    {
        return None;
    }
    for (i, word) in words.iter().enumerate() {
        if SECRET_WORDS.contains(word) {
            return Some("name suggests a credential");
        }
        if *word == "KEY" && i > 0 && KEY_QUALIFIERS.contains(&words[i - 1]) {
            return Some("name suggests a credential");
        }
    }
    // Run-together names: DBPASSWORD, GITHUBTOKEN, APIKEY.
    if ["PASSWORD", "PASSWD", "SECRET", "TOKEN", "APIKEY"]
        .iter()
        .any(|w| upper.contains(w))
    {
        return Some("name suggests a credential");
    }
    None
}

/// Provider token formats and credential formats that are masked whole, with the reason reported
/// when one is found.
static TOKEN_PATTERNS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    [
        (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", "AWS access key id"),
        (r"\bgh[pousr]_[A-Za-z0-9]{36,}\b", "GitHub token"),
        (r"\bgithub_pat_[A-Za-z0-9_]{22,}\b", "GitHub token"),
        (r"\bglpat-[A-Za-z0-9_-]{20,}\b", "GitLab token"),
        (r"\bxox[abposr]-[A-Za-z0-9-]{10,}\b", "Slack token"),
        (r"\bsk_live_[0-9A-Za-z]{16,}\b", "Stripe secret key"),
        (r"\bAIza[0-9A-Za-z_-]{35}\b", "Google API key"),
        (r"\bnpm_[A-Za-z0-9]{36}\b", "npm token"),
        (r"\bpypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,}", "PyPI token"),
        (r"\bdckr_pat_[A-Za-z0-9_-]{27,}", "Docker Hub token"),
        (
            r"https://hooks\.slack\.com/services/T[A-Z0-9]+/B[A-Z0-9]+/[A-Za-z0-9]{20,}",
            "Slack webhook URL",
        ),
        (
            r"\beyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}",
            "JSON Web Token",
        ),
        // From the BEGIN line to the END line, or to the end of the text when the END line is not
        // in it (the rest of a key split across log lines is masked by `redact_lines`). Encrypted
        // keys carry `Proc-Type:`/`DEK-Info:` headers, so the body is not only base64.
        (
            r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\z)",
            "private key",
        ),
        // htpasswd and crypt(3) hashes (apr1/MD5, bcrypt, SHA-crypt, yescrypt, argon2), with
        // Compose's `$$` escape as labels carry them; and htpasswd's `{SHA}`.
        (
            r"\$\$?(?:apr1|1|5|6|2[abxy]|y|gy|7|argon2(?:id|i|d))\$\$?[./A-Za-z0-9$=,+-]{8,}",
            "password hash",
        ),
        (r"\{SHA\}[A-Za-z0-9+/]{27}=", "password hash"),
    ]
    .into_iter()
    .map(|(p, why)| (Regex::new(p).expect("static pattern"), why))
    .collect()
});

/// `scheme://user:password@host`: the password part.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@").expect("static pattern")
});

/// A credential inside a longer match (group 1), masked alone so the context stays readable.
struct GroupPattern {
    pattern: Regex,
    key: &'static str,
    reason: &'static str,
    /// Further check on the credential, for patterns that also match ordinary words.
    accepts: fn(&str) -> bool,
}

static GROUP_PATTERNS: LazyLock<Vec<GroupPattern>> = LazyLock::new(|| {
    let any = |_: &str| true;
    vec![
        GroupPattern {
            pattern: URL_PASSWORD.clone(),
            key: "URL password",
            reason: "password embedded in a URL",
            accepts: any,
        },
        // `Authorization: Bearer x`, `"authorization":["Basic x"]`, `Proxy-Authorization=…`: the
        // credential after the scheme.
        GroupPattern {
            pattern: Regex::new(
                r#"(?i)\b(?:proxy-)?authorization\\?["']?\s*[:=]\s*\[?\s*\\?["']?(?:(?:bearer|basic|digest|token|negotiate|ntlm|apikey|dpop)\s+)?([^\s"'\\,;\]]+)"#,
            )
            .expect("static pattern"),
            key: "Authorization header",
            reason: "credential in an Authorization header",
            accepts: any,
        },
        GroupPattern {
            pattern: Regex::new(r"\b[Bb]earer\s+([A-Za-z0-9._~+/-]{8,}=*)")
                .expect("static pattern"),
            key: "bearer token",
            reason: "bearer token",
            accepts: any,
        },
        // `Basic` is also a word: only a value that decodes to `user:password` is a credential.
        GroupPattern {
            pattern: Regex::new(r"\bBasic\s+([A-Za-z0-9+/]{4,}={0,2})").expect("static pattern"),
            key: "basic credentials",
            reason: "HTTP Basic credentials (base64 of user:password)",
            accepts: is_basic_credentials,
        },
    ]
});

/// Whether `value` is base64 of `user:password` (printable text with a colon).
fn is_basic_credentials(value: &str) -> bool {
    decode_base64(value).is_some_and(|bytes| {
        bytes.contains(&b':') && bytes.iter().all(|b| b.is_ascii_graphic() || *b == b' ')
    })
}

/// Standard base64 with optional padding; `None` when it is not.
fn decode_base64(value: &str) -> Option<Vec<u8>> {
    let digits = value.trim_end_matches('=');
    if value.len() - digits.len() > 2 || digits.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(digits.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in digits.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// `NAME=value`, `NAME: value`, `"name": "value"` (also inside an escaped JSON string) in free text
/// (history lines, process command lines, log lines). The value is a JSON-style double-quoted
/// string (escapes honoured; unterminated runs to the end), a single-quoted one, or a word; a word
/// may hold `=`, so `password=--password=x` is masked whole.
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"([A-Za-z_][A-Za-z0-9_.-]*)(?:\\?["'])?(\s*[=:]\s*\[?\s*|\s+)"#,
        r#"(\\"(?:[^"\\]|\\[^"])*(?:\\"|$)|"(?:[^"\\]|\\(?s:.)?)*(?:"|$)|'[^']*(?:'|$)|[^\s"'&;,]+)"#
    ))
    .expect("static pattern")
});

/// A private key's first and last lines, to follow a key across log lines.
static PEM_BEGIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----").expect("static pattern")
});
static PEM_END: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----").expect("static pattern")
});

/// Whether a matched value is already masked or only a reference to a value kept elsewhere.
fn masked_or_reference(value: &str) -> bool {
    value.contains("****") || value.starts_with('$') || is_reference(value)
}

/// Masks every provider token, credential format, Authorization header and URL password inside
/// `text`, returning what was masked.
fn mask_tokens(text: &str) -> (String, Vec<Masked>) {
    let mut found = Vec::new();
    let mut out = text.to_string();
    for (pattern, why) in TOKEN_PATTERNS.iter() {
        if pattern.is_match(&out) {
            out = pattern
                .replace_all(&out, |caps: &regex::Captures| {
                    let m = mask(&caps[0]);
                    found.push(Masked {
                        key: (*why).to_string(),
                        reason: format!("value has the format of a {why}"),
                        masked: m.clone(),
                    });
                    m
                })
                .into_owned();
        }
    }
    for group in GROUP_PATTERNS.iter() {
        if !group.pattern.is_match(&out) {
            continue;
        }
        out = group
            .pattern
            .replace_all(&out, |caps: &regex::Captures| {
                let whole = caps.get(0).expect("group 0");
                let Some(secret) = caps.get(1) else {
                    return whole.as_str().to_string();
                };
                if masked_or_reference(secret.as_str()) || !(group.accepts)(secret.as_str()) {
                    return whole.as_str().to_string();
                }
                let m = mask(secret.as_str());
                found.push(Masked {
                    key: group.key.to_string(),
                    reason: group.reason.to_string(),
                    masked: m.clone(),
                });
                let at = whole.start();
                format!(
                    "{}{m}{}",
                    &whole.as_str()[..secret.start() - at],
                    &whole.as_str()[secret.end() - at..]
                )
            })
            .into_owned();
    }
    (out, found)
}

/// Whether a value is only a pointer to a secret kept elsewhere, which is the good practice.
fn is_reference(value: &str) -> bool {
    value.starts_with("/run/secrets/")
        || value.starts_with("file://")
        || value.starts_with("vault:")
}

/// Masks one named value in place: the whole value when the name says it is a secret, else every
/// secret inside it (tokens, `NAME=value` assignments such as `JAVA_OPTS=-Ddb.password=x`). Returns
/// what was masked, each under `name`.
pub fn redact_named(name: &str, value: &mut String) -> Vec<Masked> {
    if value.is_empty() {
        return Vec::new();
    }
    if let Some(reason) = secret_name_reason(name) {
        if !is_reference(value) {
            let masked = mask(value);
            *value = masked.clone();
            return vec![Masked {
                key: name.to_string(),
                reason: reason.to_string(),
                masked,
            }];
        }
    }
    let (masked_text, mut found) = redact_text(value);
    if !found.is_empty() {
        *value = masked_text;
        for f in &mut found {
            f.key = name.to_string();
        }
    }
    found
}

/// Masks `NAME=value` entries (an environment) in place.
pub fn redact_env(env: &mut [String]) -> Vec<Masked> {
    let mut found = Vec::new();
    for entry in env.iter_mut() {
        let Some((name, value)) = entry.split_once('=') else {
            continue;
        };
        let name = name.to_string();
        let mut value = value.to_string();
        let masked = redact_named(&name, &mut value);
        if !masked.is_empty() {
            *entry = format!("{name}={value}");
            found.extend(masked);
        }
    }
    found
}

/// Masks the values of a string map (labels, log options) in place.
pub fn redact_map(map: &mut BTreeMap<String, String>) -> Vec<Masked> {
    let mut found = Vec::new();
    for (name, value) in map.iter_mut() {
        found.extend(redact_named(name, value));
    }
    found
}

/// A program that takes a password in a command-line option.
struct PasswordOption {
    /// The start of the program's file name (`mysql` also covers `mysqldump`).
    program: &'static str,
    /// The options that carry it, attached (`-pSECRET`) or, when [`Self::separate`], as the next word.
    options: &'static [&'static str],
    /// Whether the password may also be the next word (`sshpass -p x`); MySQL's `-p` takes it
    /// attached only (a lone `-p` prompts).
    separate: bool,
    /// The value is `user:password` and only what follows the first colon is secret (curl's
    /// `-u`); without a colon the program prompts, so nothing is masked.
    user_colon: bool,
}

/// Programs that take a password as an option on their command line.
const PASSWORD_OPTIONS: &[PasswordOption] = &[
    PasswordOption {
        program: "mysql",
        options: &["-p"],
        separate: false,
        user_colon: false,
    },
    PasswordOption {
        program: "mariadb",
        options: &["-p"],
        separate: false,
        user_colon: false,
    },
    PasswordOption {
        program: "sshpass",
        options: &["-p"],
        separate: true,
        user_colon: false,
    },
    PasswordOption {
        program: "redis-cli",
        options: &["-a"],
        separate: true,
        user_colon: false,
    },
    // curl -u user:pass, --user user:pass, and the proxy's -U/--proxy-user.
    PasswordOption {
        program: "curl",
        options: &["-u", "--user", "-U", "--proxy-user"],
        separate: true,
        user_colon: true,
    },
];

/// Follows the words of a command line to find passwords given as options.
#[derive(Default)]
struct ShortOptions {
    /// The program last named that takes a password option.
    program: Option<&'static PasswordOption>,
    /// The previous word was this option alone: this word is the password.
    pending: Option<&'static str>,
}

impl ShortOptions {
    /// Feeds one word (a command's argument, or a whitespace-separated word of a line); returns
    /// the byte range of the password in it, and the option that gave it.
    fn feed(&mut self, word: &str) -> Option<(std::ops::Range<usize>, &'static str)> {
        let program = self.program?;
        let lead = word.len() - word.trim_start_matches(is_word_quote).len();
        let trimmed = word[lead..].trim_end_matches(is_word_quote);
        let (start, option) = match self.pending.take() {
            Some(option) if !trimmed.is_empty() && !trimmed.starts_with('-') => (lead, option),
            _ => {
                let option = program
                    .options
                    .iter()
                    .find(|o| trimmed.starts_with(**o) && !trimmed[o.len()..].starts_with('-'))?;
                // A long option takes its value as the next word only (`--user-agent` is
                // another option).
                if trimmed.len() == option.len() || option.starts_with("--") {
                    if trimmed.len() == option.len() && program.separate {
                        self.pending = Some(option);
                    }
                    return None;
                }
                (lead + option.len(), *option)
            }
        };
        let end = lead + trimmed.len();
        if program.user_colon {
            let colon = word[start..end].find(':')?;
            return Some((start + colon + 1..end, option)).filter(|(r, _)| !r.is_empty());
        }
        Some((start..end, option))
    }

    /// Notes a program named by `word`, so its options are followed.
    fn program(&mut self, word: &str) -> bool {
        let trimmed = word.trim_matches(is_word_quote);
        let file_name = trimmed.rsplit('/').next().unwrap_or(trimmed);
        match PASSWORD_OPTIONS
            .iter()
            .find(|p| file_name.starts_with(p.program))
        {
            Some(program) => {
                self.program = Some(program);
                self.pending = None;
                true
            }
            None => false,
        }
    }
}

/// Quotes and parentheses around a word of a command line.
fn is_word_quote(c: char) -> bool {
    matches!(c, '"' | '\'' | '(' | ')')
}

/// The Masked record of a password given as a short option.
fn short_option_masked(option: &str, masked: String) -> Masked {
    Masked {
        key: option.trim_start_matches('-').to_string(),
        reason: "password given as a command-line option".to_string(),
        masked,
    }
}

/// Masks passwords given as short options (`mysql -pSECRET`) in a line of words.
fn mask_short_options(text: &str) -> (String, Vec<Masked>) {
    let mut state = ShortOptions::default();
    let mut found = Vec::new();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    let mut offset = 0;
    for word in text.split(|c: char| c.is_whitespace() || c == ';' || c == '&' || c == '|') {
        let start = offset;
        offset += word.len()
            + text[start + word.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
        if word.is_empty() || state.program(word) {
            continue;
        }
        if let Some((range, option)) = state.feed(word) {
            let secret = &word[range.clone()];
            if masked_or_reference(secret) {
                continue;
            }
            let masked = mask(secret);
            out.push_str(&text[last..start + range.start]);
            out.push_str(&masked);
            last = start + range.end;
            found.push(short_option_masked(option, masked));
        }
    }
    out.push_str(&text[last..]);
    (out, found)
}

/// Masks secrets in a command's arguments in place: `--password=x`, `--password x`, `-e TOKEN=x`,
/// `mysql -px`, and tokens anywhere.
pub fn redact_args(args: &mut [String]) -> Vec<Masked> {
    redact_command(&[], args)
}

/// [`redact_args`] for the arguments of `program` (a container's `Path`, an `Entrypoint`), which
/// decides what short options mean (`-pSECRET` after `mysql`).
pub fn redact_command(program: &[String], args: &mut [String]) -> Vec<Masked> {
    let mut found = Vec::new();
    let mut secret_flag_pending: Option<String> = None;
    let mut short = ShortOptions::default();
    for word in program {
        short.program(word);
    }
    for arg in args.iter_mut() {
        if let Some(flag) = secret_flag_pending.take() {
            if !arg.starts_with('-') {
                found.extend(redact_named(&flag, arg));
                continue;
            }
        }
        // A whole shell script in one argument (`sh -c "…"`) is free text, read below.
        if !arg.contains(char::is_whitespace) && !short.program(arg) {
            if let Some((range, option)) = short.feed(arg) {
                if !masked_or_reference(&arg[range.clone()]) {
                    let masked = mask(&arg[range.clone()]);
                    arg.replace_range(range, &masked);
                    found.push(short_option_masked(option, masked));
                    continue;
                }
            }
        }
        if let Some(flag) = arg.strip_prefix('-') {
            match flag.split_once('=') {
                Some((name, value)) => {
                    let name = name.trim_start_matches('-').to_string();
                    let mut value = value.to_string();
                    let masked = redact_named(&name, &mut value);
                    if !masked.is_empty() {
                        *arg = format!("{}={value}", &arg[..arg.find('=').unwrap_or(0)]);
                        found.extend(masked);
                    }
                    continue;
                }
                None if secret_name_reason(flag).is_some() => {
                    secret_flag_pending = Some(flag.trim_start_matches('-').to_string());
                    continue;
                }
                None => {}
            }
        }
        let (text, masked) = redact_text(arg);
        if !masked.is_empty() {
            *arg = text;
            found.extend(masked);
        }
    }
    found
}

/// Names whose values [`mask_tokens`] already masked after the scheme word (`Bearer`).
fn is_authorization_name(name: &str) -> bool {
    name.to_ascii_uppercase().ends_with("AUTHORIZATION")
}

/// Masks secrets in free text (a history line, a process command line, a log line).
pub fn redact_text(text: &str) -> (String, Vec<Masked>) {
    let (tokens_masked, mut found) = mask_tokens(text);
    let (tokens_masked, short_found) = mask_short_options(&tokens_masked);
    found.extend(short_found);
    let mut out = String::with_capacity(tokens_masked.len());
    let mut last = 0;
    let mut pos = 0;
    // Matches are walked by hand, resuming after the *name* of a skipped match, so that a word
    // followed by an assignment (`ENV API_KEY=…`) does not swallow the assignment.
    while let Some(caps) = ASSIGNMENT.captures_at(&tokens_masked, pos) {
        let name = caps.get(1).expect("group 1");
        pos = name.end();
        let value = caps.get(3).expect("group 3");
        let separator = &caps[2];
        // `name value` (whitespace only) counts only for flags: `--password hunter2`.
        let is_flag = tokens_masked[..name.start()].ends_with('-');
        if separator.trim().is_empty() && (!is_flag || value.as_str().starts_with('-')) {
            continue;
        }
        let raw = value.as_str();
        let unquoted = raw.trim_matches(|c| c == '"' || c == '\'' || c == '\\');
        // `{` and `[` open a JSON object or list whose members are matched on their own.
        if unquoted.is_empty() || raw == "{" || masked_or_reference(unquoted) {
            continue;
        }
        if is_authorization_name(name.as_str()) {
            continue;
        }
        // Java's `-Dname=value` system properties: the `D` is the option, not the name.
        let java_property = is_flag
            .then(|| name.as_str().strip_prefix('D'))
            .flatten()
            .and_then(secret_name_reason);
        let (key, reason) = match (secret_name_reason(name.as_str()), java_property) {
            (Some(reason), _) => (name.as_str(), reason),
            (None, Some(reason)) => (&name.as_str()[1..], reason),
            (None, None) => continue,
        };
        let masked = mask(unquoted);
        out.push_str(&tokens_masked[last..value.start()]);
        out.push_str(&masked);
        last = value.end();
        pos = value.end();
        found.push(Masked {
            key: key.to_string(),
            reason: reason.to_string(),
            masked,
        });
    }
    out.push_str(&tokens_masked[last..]);
    (out, found)
}

/// Masks secrets in consecutive lines of one text (a container's log), in place: each line as
/// [`redact_text`] does, and every line of a private key whose BEGIN line came earlier, up to its
/// END line.
pub fn redact_lines(lines: &mut [String]) -> Vec<Masked> {
    let mut found = Vec::new();
    let mut in_key = false;
    for line in lines.iter_mut() {
        let mut head = String::new();
        let mut rest = line.as_str();
        if in_key {
            match PEM_END.find(rest) {
                Some(end) => {
                    head.push_str("****");
                    rest = &rest[end.end()..];
                }
                None => {
                    *line = "****".to_string();
                    continue;
                }
            }
        }
        // A key opens when its last BEGIN line has no END line after it.
        in_key = PEM_BEGIN
            .find_iter(rest)
            .last()
            .is_some_and(|begin| !PEM_END.is_match(&rest[begin.end()..]));
        let (text, masked) = redact_text(rest);
        if !masked.is_empty() || !head.is_empty() {
            head.push_str(&text);
            *line = head;
            found.extend(masked);
        }
    }
    found
}

/// A secret found in a file's text: where, what kind, and the masked form. Never the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundSecret {
    /// 1-based line where it starts.
    pub line: usize,
    /// The provider's token kind (`AWS access key id`), or the key the value is assigned to.
    pub key: String,
    /// Why it was judged a secret.
    pub reason: String,
    /// The masked form.
    pub masked: String,
}

/// `key = value`, `key: value`, `"key": "value"` in configuration files; the value is the group
/// `v` (quotes not included).
static FILE_ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?m)(?P<k>[A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*[:=][ \t]*["']?(?P<v>[^\s"'`,;<>]{8,})"#,
    )
    .expect("static pattern")
});

/// Values shipped in documentation as examples (AWS's own), never real credentials.
const DOCUMENTED_EXAMPLES: &[&str] = &[
    "AKIAIOSFODNN7EXAMPLE",
    "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
];

/// Words in a value that mark it as a placeholder, not a secret.
const PLACEHOLDER_WORDS: &[&str] = &[
    "example",
    "changeme",
    "change_me",
    "placeholder",
    "your_",
    "your-",
    "xxxxxx",
    "dummy",
    "sample",
    "redacted",
    "****",
];

/// Shortest value the keyword rule judges, and the Shannon entropy (bits per character) it must
/// reach: real keys and tokens are long and random; `password=changeme` and `secret: true` are not.
const ENTROPY_MIN_LEN: usize = 16;
const ENTROPY_MIN_BITS: f64 = 3.5;

/// Shannon entropy of `s` in bits per character.
pub fn shannon_entropy(s: &str) -> f64 {
    let mut counts = std::collections::HashMap::new();
    let mut n = 0usize;
    for c in s.chars() {
        *counts.entry(c).or_insert(0usize) += 1;
        n += 1;
    }
    if n == 0 {
        return 0.0;
    }
    counts
        .values()
        .map(|&k| {
            let p = k as f64 / n as f64;
            -p * p.log2()
        })
        .sum()
}

/// Whether a value assigned to a secret-sounding key looks like a real secret: long, random, not a
/// reference to something elsewhere (`$VAR`, `${VAR}`, `/run/secrets/…`, a path) and not a
/// placeholder.
fn looks_random(value: &str) -> bool {
    if value.chars().count() < ENTROPY_MIN_LEN
        || value.starts_with('$')
        || value.starts_with('%')
        || value.starts_with('/')
        || value.starts_with("./")
        || value.contains("${")
        || value.contains("{{")
        || is_reference(value)
        || value.contains("://")
    {
        return false;
    }
    let lower = value.to_ascii_lowercase();
    if PLACEHOLDER_WORDS.iter().any(|w| lower.contains(w)) {
        return false;
    }
    shannon_entropy(value) >= ENTROPY_MIN_BITS
}

/// Finds the secrets in a file's text: every provider token format and password in a URL (as
/// [`redact_text`] masks them), and every long, random value assigned to a secret-sounding key
/// (`aws_secret_access_key = …`, `"api_key": "…"`). AWS's documented example keys are allowed.
/// Returns them in text order, each masked.
pub fn find_secrets(text: &str) -> Vec<FoundSecret> {
    let line_of = |offset: usize| text[..offset].bytes().filter(|&b| b == b'\n').count() + 1;
    // (start, end) of what was found, so the keyword rule does not report a token twice.
    let mut spans: Vec<(usize, usize)> = Vec::new();
    let mut found: Vec<(usize, FoundSecret)> = Vec::new();
    for (pattern, why) in TOKEN_PATTERNS.iter() {
        for m in pattern.find_iter(text) {
            if DOCUMENTED_EXAMPLES.contains(&m.as_str()) {
                continue;
            }
            spans.push((m.start(), m.end()));
            found.push((
                m.start(),
                FoundSecret {
                    line: line_of(m.start()),
                    key: (*why).to_string(),
                    reason: format!("value has the format of a {why}"),
                    masked: mask(m.as_str()),
                },
            ));
        }
    }
    for caps in URL_PASSWORD.captures_iter(text) {
        let password = caps.get(1).expect("group 1");
        if password.as_str().starts_with('$')
            || spans
                .iter()
                .any(|&(s, e)| s < password.end() && password.start() < e)
        {
            continue;
        }
        spans.push((password.start(), password.end()));
        found.push((
            password.start(),
            FoundSecret {
                line: line_of(password.start()),
                key: "URL password".to_string(),
                reason: "password embedded in a URL".to_string(),
                masked: mask(password.as_str()),
            },
        ));
    }
    for caps in FILE_ASSIGNMENT.captures_iter(text) {
        let (key, value) = (caps.name("k").expect("k"), caps.name("v").expect("v"));
        if spans
            .iter()
            .any(|&(s, e)| s < value.end() && value.start() < e)
        {
            continue;
        }
        let Some(_) = secret_name_reason(key.as_str()) else {
            continue;
        };
        if DOCUMENTED_EXAMPLES.contains(&value.as_str()) || !looks_random(value.as_str()) {
            continue;
        }
        spans.push((value.start(), value.end()));
        found.push((
            value.start(),
            FoundSecret {
                line: line_of(value.start()),
                key: key.as_str().to_string(),
                reason: "high-entropy value assigned to a secret-sounding key".to_string(),
                masked: mask(value.as_str()),
            },
        ));
    }
    found.sort_by_key(|(start, _)| *start);
    found.into_iter().map(|(_, f)| f).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_long_and_short_values_differently() {
        assert_eq!(mask("hunter2hunter2ab"), "hu****ab");
        assert_eq!(mask("short"), "****");
    }

    #[test]
    fn secret_names_are_recognised_and_lookalikes_are_not() {
        for name in [
            "DB_PASSWORD",
            "MYSQL_ROOT_PASSWORD",
            "api-key",
            "AWS_SECRET_ACCESS_KEY",
            "GITHUB_TOKEN",
            "DBPASSWORD",
            "db_pwd",
            "PRIVATE_KEY",
        ] {
            assert!(secret_name_reason(name).is_some(), "{name}");
        }
        for name in [
            "PWD",
            "OLDPWD",
            "PATH",
            "POSTGRES_PASSWORD_FILE",
            "TOKEN_TTL",
            "KEYBOARD",
            "HOME",
            "PASSWORD_LENGTH",
            "MONKEY",
        ] {
            assert!(secret_name_reason(name).is_none(), "{name}");
        }
    }

    #[test]
    fn env_values_are_masked_by_name_and_by_format() {
        let mut env = vec![
            "DB_PASSWORD=correct-horse-battery".to_string(),
            "PATH=/usr/bin".to_string(),
            "SOME_SETTING=AKIAABCDEFGHIJKLMNOP".to_string(),
            "PASSWORD_FILE=/run/secrets/db".to_string(),
            "DATABASE_URL=postgres://app:s3cr3tpassw0rd@db/app".to_string(),
        ];
        let found = redact_env(&mut env);
        assert_eq!(env[0], "DB_PASSWORD=co****ry");
        assert_eq!(env[1], "PATH=/usr/bin");
        assert!(!env[2].contains("AKIAABCDEFGHIJKLMNOP"), "{}", env[2]);
        assert_eq!(env[3], "PASSWORD_FILE=/run/secrets/db");
        assert!(!env[4].contains("s3cr3tpassw0rd"), "{}", env[4]);
        assert!(env[4].starts_with("DATABASE_URL=postgres://app:"));
        assert_eq!(found.len(), 3);
        assert!(found.iter().all(|f| !f.masked.contains("horse")));
    }

    #[test]
    fn arguments_are_masked_in_both_flag_forms() {
        let mut args: Vec<String> = [
            "--password=hunter2hunter2",
            "--token",
            "abcdefabcdef123",
            "-v",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let found = redact_args(&mut args);
        assert_eq!(args[0], "--password=hu****r2");
        assert_eq!(args[2], "ab****23");
        assert_eq!(args[3], "-v");
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn free_text_assignments_are_masked_and_references_kept() {
        let (out, found) =
            redact_text("/bin/sh -c #(nop)  ENV API_KEY=sk-1234567890abcdef MODE=prod");
        assert!(!out.contains("sk-1234567890abcdef"), "{out}");
        assert!(out.contains("MODE=prod"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].key, "API_KEY");
        let (out, found) = redact_text("export PASSWORD=$DB_PASS; run --secret-file x");
        assert_eq!(out, "export PASSWORD=$DB_PASS; run --secret-file x");
        assert!(found.is_empty());
    }

    #[test]
    fn private_keys_are_masked_whole() {
        let (out, found) =
            redact_text("-----BEGIN RSA PRIVATE KEY-----MIIEabc-----END RSA PRIVATE KEY-----");
        assert!(!out.contains("MIIEabc"));
        assert_eq!(found.len(), 1);
    }

    #[test]
    fn secrets_in_file_text_are_found_masked_with_their_lines() {
        let text = "[default]\naws_access_key_id = AKIA2PLANTEDFAKE7KEY\naws_secret_access_key = q8Zr2Vf9LmXw4Tn7Kp1Yd6Hs3Bc0Ja5Ue\n# docs: AKIAIOSFODNN7EXAMPLE\npassword = changeme\ntoken: ${TOKEN}\nurl=https://bob:s3cretpassw0rd@db.example/\n";
        let found = find_secrets(text);
        let summary: Vec<(usize, &str, &str)> = found
            .iter()
            .map(|f| (f.line, f.key.as_str(), f.masked.as_str()))
            .collect();
        assert_eq!(
            summary,
            vec![
                (2, "AWS access key id", "AK****EY"),
                (3, "aws_secret_access_key", "q8****Ue"),
                (7, "URL password", "s3****rd"),
            ]
        );
        for f in &found {
            assert!(f.masked.contains("****"), "{f:?}");
        }
    }

    #[test]
    fn low_entropy_and_placeholder_values_are_not_secrets() {
        for text in [
            "password=aaaaaaaaaaaaaaaaaaaa",
            "api_key = your_api_key_goes_here_1234",
            "secret: /run/secrets/db_password_file",
            "token = ${GITHUB_TOKEN_FROM_ENVIRONMENT}",
            "PASSWORD_FILE=/etc/app/q8Zr2Vf9LmXw4Tn7Kp1Yd6",
            "name = q8Zr2Vf9LmXw4Tn7Kp1Yd6Hs3Bc0Ja5Ue",
        ] {
            assert!(
                find_secrets(text).is_empty(),
                "{text}: {:?}",
                find_secrets(text)
            );
        }
        assert!(shannon_entropy("aaaa") < 0.1);
        assert!(shannon_entropy("q8Zr2Vf9LmXw4Tn7Kp1Yd6Hs3Bc0Ja5Ue") > 4.0);
    }

    #[test]
    fn new_provider_patterns_are_masked_in_environments_too() {
        let mut env = vec![
            "NPM_CONFIG=npm_abcdefghijklmnopqrstuvwxyz0123456789".to_string(),
            "HOOK=https://hooks.slack.com/services/T0000000/B0000000/abcdefghijklmnopqrstuvwx"
                .to_string(),
        ];
        let found = redact_env(&mut env);
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(!env[0].contains("abcdefghijklmnop"));
        assert!(!env[1].contains("abcdefghijklmnop"));
    }

    #[test]
    fn curl_user_passwords_are_masked_and_the_user_kept() {
        for (line, want) in [
            (
                "curl -fsS -u admin:hunter2secret https://x/",
                "curl -fsS -u admin:hu****et https://x/",
            ),
            (
                "curl --user bob:pw1 https://x/",
                "curl --user bob:**** https://x/",
            ),
            ("curl -ubob:pw1 https://x/", "curl -ubob:**** https://x/"),
            (
                "/usr/bin/curl -U proxy:pxpass1 x",
                "/usr/bin/curl -U proxy:**** x",
            ),
            (
                "sh -c 'curl --proxy-user p:verysecretpass x'",
                "sh -c 'curl --proxy-user p:ve****ss x'",
            ),
        ] {
            let (out, found) = redact_text(line);
            assert_eq!(out, want, "{line}");
            assert_eq!(found.len(), 1, "{line}: {found:?}");
        }
        // No colon: curl prompts. Not curl, or another option: nothing secret.
        for line in [
            "curl -u admin https://x/",
            "curl --user-agent a:b https://x/",
            "docker run -u 1000:1000 img",
            "curl -u \"$USER:$PASS\" x",
        ] {
            assert_eq!(redact_text(line).0, line);
        }
        let mut args = vec![
            "-sS".to_string(),
            "--user".to_string(),
            "ci:tok3n".to_string(),
        ];
        let found = redact_command(&["curl".to_string()], &mut args);
        assert_eq!(args[2], "ci:****");
        assert_eq!(found[0].key, "user");
    }
}
