//! Whatever the bytes, the parsers answer (a model or an error naming the file), never panic:
//! arbitrary text, and text made of the characters that drive each grammar.

use dockaudit_source::interpolate::{expand, Dialect};
use dockaudit_source::{dockerfile, ignore, shell, yaml};
use proptest::prelude::*;

/// Text built from the pieces each grammar reacts to.
fn grammar_soup() -> impl Strategy<Value = String> {
    let pieces = prop::sample::select(vec![
        "FROM ",
        "RUN ",
        "<<EOF",
        "EOF",
        "\n",
        "\\",
        "`",
        "# escape=`\n",
        "ARG A=${B:-c}",
        "$(",
        ")",
        "\"",
        "'",
        "|",
        "&&",
        ";",
        " ",
        "- ",
        ": ",
        "&a ",
        "*a",
        "<<: *a",
        "{",
        "}",
        "[",
        "]",
        "#",
        "dockaudit-ignore X: y",
        "${",
        "$$",
        "\t",
        "COPY <<X /f\n",
        "ENV A=b",
        "USER ",
        "---\n",
    ]);
    prop::collection::vec(pieces, 0..60).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn dockerfiles(text in any::<String>(), soup in grammar_soup()) {
        for t in [&text, &soup] {
            if let Ok(df) = dockerfile::parse("D", t) {
                for (_, ins) in df.instructions() {
                    let _ = ins.kind.script();
                }
            }
        }
    }

    #[test]
    fn yaml_trees(text in any::<String>(), soup in grammar_soup()) {
        for t in [&text, &soup] {
            let _ = yaml::parse("c.yaml", t);
        }
    }

    #[test]
    fn shell_and_interpolation_and_comments(text in any::<String>(), soup in grammar_soup()) {
        for t in [&text, &soup] {
            let _ = shell::pipelines(t);
            let _ = expand(t, Dialect::Compose, &|_| Some("v".into()));
            let _ = expand(t, Dialect::Dockerfile('`'), &|_| None);
            let _ = ignore::scan(t);
        }
    }
}
