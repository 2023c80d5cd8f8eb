//! A team's QA scorecard, pure: its sections and criteria (weights, scales, N/A, auto-fail), the
//! default form every team starts with (the four original criteria), and checking a form a supervisor
//! submits, naming every problem at once. Scoring against a form is [`crate::scoring`]; storing the
//! versions is [`crate::scorecards`].

use serde::{Deserialize, Serialize};

/// The most criteria one form holds (a long form is a checklist nobody fills in).
pub const MAX_CRITERIA: usize = 50;
/// The most sections one form holds.
pub const MAX_SECTIONS: usize = 12;
/// The largest weight a criterion may carry.
pub const MAX_WEIGHT: u32 = 100;
/// The highest top of a scale (0-10 is the widest scale QA teams use).
pub const MAX_SCALE: u8 = 10;
/// The longest title or label (characters).
pub const MAX_LABEL_CHARS: usize = 120;
/// The longest criterion key (`a-z`, `0-9`, `_`).
pub const MAX_KEY_CHARS: usize = 32;

/// A scorecard: titled sections of criteria, in the order the form shows them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Form {
    pub title: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    pub title: String,
    pub criteria: Vec<Criterion>,
}

/// One scored question.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Stable name of the criterion in stored scores (unique within the form).
    pub key: String,
    pub label: String,
    /// Its share of the weighted total; 0 for a pure gate (an auto-fail item that adds no points).
    #[serde(default = "one")]
    pub weight: u32,
    #[serde(default)]
    pub scale: Scale,
    /// The reviewer may answer "na" (not applicable): the criterion then leaves the total.
    #[serde(default)]
    pub na_allowed: bool,
    /// Scoring it at its scale's minimum fails the whole review (total 0), e.g. "read the mandatory
    /// disclosure" on a 0-1 scale answered 0.
    #[serde(default)]
    pub auto_fail: bool,
}

fn one() -> u32 {
    1
}

/// The whole numbers a criterion is scored on, `min..=max` (0-1 is a yes/no item).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    pub min: u8,
    pub max: u8,
}

impl Default for Scale {
    fn default() -> Scale {
        Scale { min: 1, max: 5 }
    }
}

impl Form {
    /// The form of a team that never saved one: the four original criteria, equally weighted, 1-5.
    pub fn default_form() -> Form {
        let criterion = |key: &str, label: &str| Criterion {
            key: key.into(),
            label: label.into(),
            weight: 1,
            scale: Scale::default(),
            na_allowed: false,
            auto_fail: false,
        };
        Form {
            title: "Call quality".into(),
            sections: vec![Section {
                title: "Call handling".into(),
                criteria: vec![
                    criterion("greeting", "Greeting and identification"),
                    criterion("empathy", "Empathy and tone"),
                    criterion("accuracy", "Accuracy of information"),
                    criterion("compliance", "Compliance and disclosure"),
                ],
            }],
        }
    }

    /// Every criterion, in form order.
    pub fn criteria(&self) -> impl Iterator<Item = &Criterion> {
        self.sections.iter().flat_map(|s| s.criteria.iter())
    }

    /// The criterion named `key`.
    pub fn criterion(&self, key: &str) -> Option<&Criterion> {
        self.criteria().find(|c| c.key == key)
    }

    /// The form with its titles and labels trimmed, or every problem with it, in words.
    pub fn checked(mut self) -> Result<Form, Vec<String>> {
        let mut problems = Vec::new();
        self.title = self.title.trim().to_owned();
        check_label(&self.title, "the form's title", &mut problems);
        if self.sections.is_empty() {
            problems.push("the form has no sections".into());
        }
        if self.sections.len() > MAX_SECTIONS {
            problems.push(format!("the form has {} sections; at most {MAX_SECTIONS}", self.sections.len()));
        }
        let mut keys: Vec<String> = Vec::new();
        for (n, section) in self.sections.iter_mut().enumerate() {
            section.title = section.title.trim().to_owned();
            let where_ = format!("section {}", n + 1);
            check_label(&section.title, &format!("the title of {where_}"), &mut problems);
            if section.criteria.is_empty() {
                problems.push(format!("{where_} has no criteria"));
            }
            for criterion in &mut section.criteria {
                criterion.label = criterion.label.trim().to_owned();
                check_criterion(criterion, &where_, &mut problems);
                if keys.contains(&criterion.key) {
                    problems.push(format!("criterion key {:?} is used twice", criterion.key));
                }
                keys.push(criterion.key.clone());
            }
        }
        if keys.len() > MAX_CRITERIA {
            problems.push(format!("the form has {} criteria; at most {MAX_CRITERIA}", keys.len()));
        }
        if !keys.is_empty() && self.criteria().all(|c| c.weight == 0) {
            problems.push("every criterion has weight 0: at least one must count toward the total".into());
        }
        if problems.is_empty() {
            Ok(self)
        } else {
            Err(problems)
        }
    }
}

fn check_label(text: &str, what: &str, problems: &mut Vec<String>) {
    if text.is_empty() {
        problems.push(format!("{what} is empty"));
    } else if text.chars().count() > MAX_LABEL_CHARS {
        problems.push(format!("{what} is over {MAX_LABEL_CHARS} characters"));
    }
}

fn check_criterion(c: &Criterion, section: &str, problems: &mut Vec<String>) {
    let key_ok = !c.key.is_empty()
        && c.key.len() <= MAX_KEY_CHARS
        && c.key.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !key_ok {
        problems.push(format!(
            "criterion key {:?} in {section} must be 1-{MAX_KEY_CHARS} of a-z, 0-9 and _",
            c.key
        ));
    }
    let name = if c.label.is_empty() { format!("criterion {:?}", c.key) } else { format!("{:?}", c.label) };
    check_label(&c.label, &format!("the label of criterion {:?}", c.key), problems);
    if c.weight > MAX_WEIGHT {
        problems.push(format!("{name} has weight {}; weights are 0-{MAX_WEIGHT}", c.weight));
    }
    let Scale { min, max } = c.scale;
    if min >= max || max > MAX_SCALE {
        problems.push(format!(
            "{name} has scale {min}-{max}; a scale runs from a lower to a higher whole number, at most {MAX_SCALE}"
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_form_is_the_four_original_criteria_and_passes_its_own_check() {
        let form = Form::default_form();
        let keys: Vec<&str> = form.criteria().map(|c| c.key.as_str()).collect();
        assert_eq!(keys, ["greeting", "empathy", "accuracy", "compliance"]);
        assert_eq!(form.clone().checked(), Ok(form));
    }

    #[test]
    fn omitted_weights_scales_and_flags_take_their_defaults() {
        let form: Form = serde_json::from_str(
            r#"{"title":" T ","sections":[{"title":"S","criteria":[{"key":"a","label":" A "}]}]}"#,
        )
        .unwrap();
        let form = form.checked().unwrap();
        let a = form.criterion("a").unwrap();
        assert_eq!(
            (form.title.as_str(), a.label.as_str(), a.weight, a.scale),
            ("T", "A", 1, Scale::default())
        );
        assert!(!a.na_allowed && !a.auto_fail);
    }

    #[test]
    fn every_problem_is_named_at_once() {
        let form: Form = serde_json::from_str(
            r#"{"title":"","sections":[
                {"title":"S","criteria":[
                    {"key":"Bad Key","label":"x","weight":0},
                    {"key":"dup","label":"","weight":0,"scale":{"min":3,"max":3}},
                    {"key":"dup","label":"Twice","weight":101,"scale":{"min":0,"max":11}}]},
                {"title":"Empty","criteria":[]}]}"#,
        )
        .unwrap();
        let problems = form.checked().unwrap_err();
        let expected = [
            "the form's title is empty",
            "criterion key \"Bad Key\" in section 1 must be 1-32 of a-z, 0-9 and _",
            "the label of criterion \"dup\" is empty",
            "criterion \"dup\" has scale 3-3",
            "criterion key \"dup\" is used twice",
            "\"Twice\" has weight 101; weights are 0-100",
            "\"Twice\" has scale 0-11",
            "section 2 has no criteria",
        ];
        for want in expected {
            assert!(problems.iter().any(|p| p.contains(want)), "{want:?} missing from {problems:#?}");
        }
        assert_eq!(problems.len(), expected.len(), "{problems:#?}");
    }

    #[test]
    fn a_form_whose_weights_are_all_zero_or_that_is_too_big_is_refused() {
        let mut form = Form::default_form();
        form.sections[0].criteria.iter_mut().for_each(|c| c.weight = 0);
        assert!(form.checked().unwrap_err()[0].contains("at least one must count"));
        let mut big = Form::default_form();
        big.sections = vec![big.sections[0].clone(); MAX_SECTIONS + 1];
        let problems = big.checked().unwrap_err();
        assert!(problems.iter().any(|p| p.contains("13 sections; at most 12")), "{problems:#?}");
        assert!(problems.iter().any(|p| p.contains("used twice")));
    }
}
