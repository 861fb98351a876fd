//! `--faults` specs: `5xx=N,drop=N,latency=MS,empty=N,invalidate=N,rate=N` or `none`.

use std::time::Duration;

use scrm_sandbox::Faults;

pub fn parse(spec: &str) -> Result<Faults, String> {
    let mut faults = Faults::none();
    let spec = spec.trim();
    if spec.is_empty() || spec == "none" {
        return Ok(faults);
    }
    for part in spec.split(',') {
        let (key, value) = part
            .split_once('=')
            .ok_or_else(|| format!("fault {part:?} is not KEY=VALUE"))?;
        let n: u64 = value
            .trim()
            .parse()
            .map_err(|_| format!("fault {key}: {value:?} is not a whole number"))?;
        let every = (n > 0).then_some(n);
        match key.trim() {
            "5xx" => faults.server_error_every = every,
            "drop" => faults.drop_every = every,
            "latency" => faults.latency = Duration::from_millis(n),
            "empty" => faults.empty_page_every = every,
            "invalidate" => faults.invalidate_token_every = every,
            "rate" => faults.rate_limit_per_sec = u32::try_from(n).ok().filter(|n| *n > 0),
            other => {
                return Err(format!(
                    "unknown fault {other:?}; known: 5xx, drop, latency, empty, invalidate, rate"
                ));
            }
        }
    }
    Ok(faults)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_knob() {
        let f = parse("5xx=9,drop=13,latency=20,empty=7,invalidate=25,rate=50").unwrap();
        assert_eq!(f.server_error_every, Some(9));
        assert_eq!(f.drop_every, Some(13));
        assert_eq!(f.latency, Duration::from_millis(20));
        assert_eq!(f.empty_page_every, Some(7));
        assert_eq!(f.invalidate_token_every, Some(25));
        assert_eq!(f.rate_limit_per_sec, Some(50));
        assert_eq!(parse("none").unwrap(), Faults::none());
        assert!(parse("boom=1").unwrap_err().contains("unknown fault"));
        assert!(parse("drop").is_err());
        assert!(parse("drop=x").is_err());
    }
}
