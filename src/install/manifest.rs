//! An artifact's manifest (`<key>.manifest` beside `<key>.tar.gz`): `key = value` lines
//! (sha256, size, the build prefix, what the key was made of). Unknown keys are kept, so
//! writers can add fields freely.

/// The parsed file: its `key = value` pairs in order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    pub fields: Vec<(String, String)>,
}

impl Manifest {
    /// Set (or replace) one field.
    pub fn set(&mut self, key: &str, value: &str) -> &mut Self {
        let value = value.replace(['\n', '\r'], " ");
        match self.fields.iter_mut().find(|(k, _)| k == key) {
            Some(f) => f.1 = value,
            None => self.fields.push((key.to_string(), value)),
        }
        self
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn to_text(&self) -> String {
        self.fields
            .iter()
            .map(|(k, v)| format!("{k} = {v}\n"))
            .collect()
    }

    pub fn parse(text: &str) -> Manifest {
        let fields = text
            .lines()
            .filter(|l| !l.trim_start().starts_with('#'))
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .filter(|(k, _)| !k.is_empty())
            .collect();
        Manifest { fields }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip() {
        let mut m = Manifest::default();
        m.set("sha256", "ab")
            .set("prefix", "/x/y")
            .set("sha256", "cd");
        let back = Manifest::parse(&m.to_text());
        assert_eq!(back, m);
        assert_eq!(back.get("sha256"), Some("cd"));
        assert_eq!(Manifest::parse("# c\nextra=1\n").get("extra"), Some("1"));
    }
}
