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

/// Provider token formats, with the reason reported when one is found.
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
        (
            r"-----BEGIN [A-Z ]*PRIVATE KEY-----[^-]*(?:-----END [A-Z ]*PRIVATE KEY-----)?",
            "private key",
        ),
    ]
    .into_iter()
    .map(|(p, why)| (Regex::new(p).expect("static pattern"), why))
    .collect()
});

/// `scheme://user:password@host`: the password part.
static URL_PASSWORD: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://[^/\s:@]+:([^/\s@]+)@").expect("static pattern")
});

/// `NAME=value` or `NAME: value` in free text (history lines, process command lines, log lines).
static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([A-Za-z_][A-Za-z0-9_.-]*)(\s*[=:]\s*|\s+)("[^"]*"|'[^']*'|[^\s"'&;,=]+)"#)
        .expect("static pattern")
});

/// Masks every provider token and URL password inside `text`, returning what was masked.
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
    if URL_PASSWORD.is_match(&out) {
        out = URL_PASSWORD
            .replace_all(&out, |caps: &regex::Captures| {
                let whole = &caps[0];
                let password = &caps[1];
                let m = mask(password);
                found.push(Masked {
                    key: "URL password".to_string(),
                    reason: "password embedded in a URL".to_string(),
                    masked: m.clone(),
                });
                whole.replacen(password, &m, 1)
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

/// Masks one named value in place. Returns what was masked, if anything.
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
    let (masked_text, mut found) = mask_tokens(value);
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

/// Masks secrets in a command's arguments in place: `--password=x`, `--password x`, `-e TOKEN=x`,
/// and tokens anywhere.
pub fn redact_args(args: &mut [String]) -> Vec<Masked> {
    let mut found = Vec::new();
    let mut secret_flag_pending: Option<String> = None;
    for arg in args.iter_mut() {
        if let Some(flag) = secret_flag_pending.take() {
            if !arg.starts_with('-') {
                found.extend(redact_named(&flag, arg));
                continue;
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

/// Masks secrets in free text (a history line, a process command line, a log line).
pub fn redact_text(text: &str) -> (String, Vec<Masked>) {
    let (tokens_masked, mut found) = mask_tokens(text);
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
        let unquoted = raw.trim_matches(|c| c == '"' || c == '\'');
        if unquoted.is_empty() || unquoted.contains("****") || is_reference(unquoted) {
            continue;
        }
        // `$VAR` and `${VAR}` are references to a value defined elsewhere, not the value.
        if unquoted.starts_with('$') {
            continue;
        }
        let Some(reason) = secret_name_reason(name.as_str()) else {
            continue;
        };
        let masked = mask(unquoted);
        out.push_str(&tokens_masked[last..value.start()]);
        out.push_str(&masked);
        last = value.end();
        pos = value.end();
        found.push(Masked {
            key: name.as_str().to_string(),
            reason: reason.to_string(),
            masked,
        });
    }
    out.push_str(&tokens_masked[last..]);
    (out, found)
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
}
