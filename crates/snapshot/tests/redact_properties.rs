//! Properties of the secret masking: a value planted in any line shape the masking supports never
//! survives it, and no input whatever makes it panic (multi-byte characters next to every pattern
//! included).

use dockaudit_snapshot::redact::{
    find_secrets, mask, redact_args, redact_command, redact_env, redact_lines, redact_named,
    redact_text,
};
use proptest::prelude::*;

/// A planted value as it can stand unquoted: no whitespace, quotes, or the `&`, `;` and `,` that
/// end a value in query strings and command lines; `=` and `:` included (`password=--password=x`).
/// `Q7…Z9` so that it cannot occur in the text around it.
const UNQUOTED: &str = "Q7[A-Za-z0-9!#%+/=@^_~.:-]{4,30}Z9";

/// A planted value for quoted shapes: anything printable, spaces and quotes included.
const QUOTED: &str = "Q7[A-Za-z0-9 !#%&+/=@^_~.:;,'\"\\\\-]{4,30}Z9";

/// Names that say their value is a secret.
const SECRET_NAMES: &[&str] = &[
    "password",
    "DB_PASSWORD",
    "db_pass",
    "api_key",
    "x-api-key",
    "client_secret",
    "GITHUB_TOKEN",
    "spring.datasource.password",
];

/// Text around a line, as loggers and shells put it there.
const PREFIXES: &[&str] = &[
    "",
    "2024-05-01T10:00:00Z INFO ",
    "[app] ",
    "msg=login user=bob ",
    "/bin/sh -c ",
    "é日本 ",
];
const SUFFIXES: &[&str] = &["", " done", " user=bob", " 日本", "\t# ok"];

fn json_string(s: &str) -> String {
    serde_json::to_string(s).expect("a string serialises")
}

fn base64(bytes: &[u8]) -> String {
    const DIGITS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n =
            chunk.iter().fold(0u32, |acc, &b| acc << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(DIGITS[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Every single-line shape of `value` under `name` the masking supports.
fn unquoted_shapes(name: &str, v: &str) -> Vec<String> {
    vec![
        format!("{name}={v}"),
        format!("{name}: {v}"),
        format!("{name} = {v}"),
        format!("--{name}={v}"),
        format!("--{name} {v}"),
        format!("-e {name}={v}"),
        format!("export {name}={v};"),
        format!("{name}=--{name}={v}"),
        format!("{name}=--password={v}"),
        format!("JAVA_OPTS=-D{name}={v}"),
        format!("Authorization: Bearer {v}"),
        format!("authorization: token {v}"),
        format!("Proxy-Authorization=Bearer {v}"),
        format!("curl -H 'Authorization: Bearer {v}' https://api"),
        format!("mysql -uroot -p{v} app"),
        format!("/usr/bin/mysqldump -h db '-p{v}' app > /dump.sql"),
        format!("sshpass -p {v} ssh host"),
        format!("redis-cli -a {v} ping"),
        format!(r#"{{"{name}":"{v}"}}"#),
        format!(r#"{{"level":"info", "{name}": "{v}", "ok":true}}"#),
        format!(r#"{{"{name}":["{v}"]}}"#),
        format!(r#"{{"headers":{{"Authorization":["Bearer {v}"]}}}}"#),
    ]
}

/// Shapes where the value is quoted, so it may hold spaces and quotes.
fn quoted_shapes(name: &str, v: &str) -> Vec<String> {
    let json = json_string(v);
    let nested = json_string(&format!("{{\"{name}\":{json}}}"));
    let mut shapes = vec![
        format!("{{\"{name}\":{json}}}"),
        format!("{{\"user\":\"bob\",\"{name}\": {json}, \"n\":1}}"),
        format!("{{\"msg\":{nested}}}"),
    ];
    if !v.contains('\'') {
        shapes.push(format!("{name}='{v}'"));
    }
    if !v.contains('"') && !v.contains('\\') {
        shapes.push(format!("{name}=\"{v}\""));
    }
    shapes
}

fn assert_masked(line: &str, out: &str, planted: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        !out.contains(planted),
        "planted {planted:?} survives in {out:?} (from {line:?})"
    );
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    #[test]
    fn unquoted_values_never_survive_a_line(
        v in UNQUOTED,
        name in proptest::sample::select(SECRET_NAMES),
        prefix in proptest::sample::select(PREFIXES),
        suffix in proptest::sample::select(SUFFIXES),
    ) {
        for shape in unquoted_shapes(name, &v) {
            let line = format!("{prefix}{shape}{suffix}");
            let (out, found) = redact_text(&line);
            assert_masked(&line, &out, &v)?;
            prop_assert!(!found.is_empty(), "nothing recorded for {line:?}");
            // The same line as a log line, and as the value of an innocent variable or label.
            let mut lines = vec![line.clone()];
            redact_lines(&mut lines);
            assert_masked(&line, &lines[0], &v)?;
            let mut value = line.clone();
            let found = redact_named("io.example.note", &mut value);
            assert_masked(&line, &value, &v)?;
            prop_assert!(found.iter().all(|f| f.key == "io.example.note"));
        }
    }

    #[test]
    fn quoted_values_never_survive_a_line(
        v in QUOTED,
        name in proptest::sample::select(SECRET_NAMES),
        prefix in proptest::sample::select(PREFIXES),
    ) {
        for shape in quoted_shapes(name, &v) {
            let line = format!("{prefix}{shape}");
            let (out, _) = redact_text(&line);
            assert_masked(&line, &out, &v)?;
        }
    }

    #[test]
    fn environments_labels_and_arguments_never_keep_values(
        v in UNQUOTED,
        name in proptest::sample::select(SECRET_NAMES),
    ) {
        let mut env = vec![
            format!("{name}={v}"),
            format!("JAVA_OPTS=-Xmx1g -Ddb.password={v}"),
            format!("HTTP_AUTHORIZATION=Bearer {v}"),
            format!("CMD=mysql -p{v}"),
        ];
        let found = redact_env(&mut env);
        prop_assert_eq!(found.len(), 4, "{:?}", env);
        for e in &env {
            assert_masked(e, e, &v)?;
        }
        for mut args in [
            vec!["--password".to_string(), v.clone()],
            vec![format!("--{name}={v}")],
            vec!["mysql".to_string(), "-uroot".to_string(), format!("-p{v}")],
            vec!["sh".to_string(), "-c".to_string(), format!("mysql -p{v} && echo {name}={v}")],
            vec!["-H".to_string(), format!("Authorization: Bearer {v}")],
        ] {
            let before = args.join(" ");
            redact_args(&mut args);
            assert_masked(&before, &args.join(" "), &v)?;
        }
        // `Path` + `Args` at the top of a container's inspect: the program decides what `-p` is.
        let mut args = vec!["-uroot".to_string(), format!("-p{v}")];
        redact_command(&["/usr/bin/mysql".to_string()], &mut args);
        assert_masked("Path mysql", &args.join(" "), &v)?;
    }

    #[test]
    fn password_hashes_in_labels_are_masked(
        salt in "[./A-Za-z0-9]{8}",
        hash in "[./A-Za-z0-9]{22,31}",
        cost in 4u8..31,
    ) {
        for (shape, planted) in [
            (format!("admin:$apr1${salt}${hash}"), format!("{salt}${hash}")),
            (format!("admin:$$apr1$${salt}$${hash}"), format!("{salt}$${hash}")),
            (format!("admin:$2y${cost:02}${salt}{hash}"), format!("{salt}{hash}")),
            (format!("u1:$6$rounds=5000${salt}${hash},u2:$2b${cost:02}${hash}{salt}"), hash.clone()),
        ] {
            let mut value = shape.clone();
            let found = redact_named("traefik.http.middlewares.auth.basicauth.users", &mut value);
            assert_masked(&shape, &value, &planted)?;
            prop_assert!(!found.is_empty());
            let mut value = shape.clone();
            redact_named("io.example.users", &mut value);
            assert_masked(&shape, &value, &planted)?;
        }
    }

    #[test]
    fn basic_credentials_are_masked_and_words_are_not(
        user in "[a-z]{3,8}",
        v in UNQUOTED,
    ) {
        let encoded = base64(format!("{user}:{v}").as_bytes());
        for line in [
            format!("Authorization: Basic {encoded}"),
            format!("GET / HTTP/1.1 auth: Basic {encoded} ok"),
        ] {
            let (out, _) = redact_text(&line);
            assert_masked(&line, &out, &encoded)?;
        }
        let (out, found) = redact_text("Basic authentication is enabled for Basic users");
        prop_assert_eq!(out, "Basic authentication is enabled for Basic users");
        prop_assert!(found.is_empty());
    }

    #[test]
    fn private_keys_are_masked_across_log_lines_and_in_one_value(
        body in proptest::collection::vec("[A-Za-z0-9+/]{40,64}", 1..6),
        kind in proptest::sample::select(&["RSA ", "EC ", "OPENSSH ", "", "ENCRYPTED "][..]),
        prefix in proptest::sample::select(PREFIXES),
    ) {
        let begin = format!("-----BEGIN {kind}PRIVATE KEY-----");
        let end = format!("-----END {kind}PRIVATE KEY-----");
        let mut lines = vec![format!("{prefix}loading key"), format!("{prefix}{begin}")];
        lines.push(format!("{prefix}Proc-Type: 4,ENCRYPTED"));
        lines.extend(body.iter().map(|b| format!("{prefix}{b}")));
        lines.push(format!("{prefix}{end}"));
        lines.push(format!("{prefix}password=after-the-key"));
        let found = redact_lines(&mut lines);
        prop_assert!(!found.is_empty());
        let all = lines.join("\n");
        for b in &body {
            assert_masked(b, &all, b)?;
        }
        prop_assert!(lines[0].ends_with("loading key"), "{:?}", lines);
        prop_assert!(!all.contains("after-the-key"), "{:?}", lines);
        // One value holding the whole key, with real or escaped newlines.
        for sep in ["\n", "\\n"] {
            let pem = format!("{begin}{sep}{}{sep}{end}{sep}", body.join(sep));
            let mut env = vec![format!("TLS_KEY_PEM={pem}")];
            redact_env(&mut env);
            for b in &body {
                assert_masked(&pem, &env[0], b)?;
            }
        }
    }

    #[test]
    fn nothing_panics_on_arbitrary_text(s in any::<String>(), name in any::<String>()) {
        let _ = redact_text(&s);
        let _ = mask(&s);
        let _ = find_secrets(&s);
        let mut v = s.clone();
        let _ = redact_named(&name, &mut v);
        let mut lines: Vec<String> = s.split('\n').map(str::to_string).collect();
        let _ = redact_lines(&mut lines);
        let mut args: Vec<String> = s.split(' ').map(str::to_string).collect();
        let _ = redact_command(std::slice::from_ref(&name), &mut args);
        let _ = redact_env(&mut [format!("{name}={s}")]);
    }

    #[test]
    fn nothing_panics_near_every_pattern(
        parts in proptest::collection::vec(proptest::sample::select(&[
            "password", "=", ":", "\"", "'", "\\", "\\\"", "{", "[", "]", " ", "\n", "\r", "-",
            "--", "-p", "mysql", "sshpass", "Authorization", "Bearer ", "Basic ", "dXNlcjpwYXNz",
            "-----BEGIN RSA PRIVATE KEY-----", "-----END RSA PRIVATE KEY-----", "$apr1$", "$$",
            "é", "日本", "\u{1F600}", "://", "@", "$", "****", "AKIA", "eyJ", ";", "&", "|", "(",
        ][..]), 0..40),
    ) {
        let s: String = parts.concat();
        let (out, found) = redact_text(&s);
        // Masking only replaces: it never records a value it left in place.
        for f in &found {
            prop_assert!(f.masked == "****" || f.masked.contains("****"), "{f:?}");
        }
        let _ = out;
        let mut lines: Vec<String> = s.split('\n').map(str::to_string).collect();
        let _ = redact_lines(&mut lines);
        let mut args: Vec<String> = s.split(' ').map(str::to_string).collect();
        let _ = redact_args(&mut args);
        let _ = find_secrets(&s);
    }
}
