//! Tokenizer and recursive-descent parser for the `ss` filter language.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::{Cmp, End, Expr, HostCond, ParseError, Prefix, Resolver};
use crate::inet::{State, StateMask};

/// Parses a whole filter; `None` when the text holds no tokens.
pub(super) fn parse(text: &str, names: &dyn Resolver) -> Result<Option<Expr>, ParseError> {
    let tokens = tokenize(text)?;
    if let Some(token) = tokens.get(MAX_TOKENS) {
        let message = format!("the expression is too long (more than {MAX_TOKENS} words)");
        return Err(ParseError::new(text, token.start, token.end, message));
    }
    let mut parser = Parser {
        text,
        tokens,
        pos: 0,
        names,
        depth: 0,
    };
    if parser.tokens.is_empty() {
        return Ok(None);
    }
    let expr = parser.filter()?;
    if let Some(token) = parser.peek() {
        // Only a `)` can stop a list early.
        return Err(parser.error_at(
            token,
            "unbalanced `)`: there is no `(` before it".to_string(),
        ));
    }
    Ok(Some(expr))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Word,
    Open,
    Close,
}

#[derive(Clone, Debug)]
struct Token {
    kind: Kind,
    /// The word with escapes removed.
    text: String,
    start: usize,
    end: usize,
}

/// Splits on whitespace; `(` and `)` are tokens of their own; `\` takes the next character
/// literally (so `\(` is part of a word).
fn tokenize(text: &str) -> Result<Vec<Token>, ParseError> {
    let mut tokens = Vec::new();
    let mut word: Option<Token> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        let end = at + c.len_utf8();
        if c.is_whitespace() || c == '(' || c == ')' {
            tokens.extend(word.take());
            if c != '(' && c != ')' {
                continue;
            }
            tokens.push(Token {
                kind: if c == '(' { Kind::Open } else { Kind::Close },
                text: c.to_string(),
                start: at,
                end,
            });
            continue;
        }
        let literal = if c == '\\' {
            match chars.next() {
                Some((_, next)) => next,
                None => {
                    return Err(ParseError::new(
                        text,
                        at,
                        end,
                        "`\\` at the end of the expression escapes nothing".to_string(),
                    ));
                }
            }
        } else {
            c
        };
        let token = word.get_or_insert_with(|| Token {
            kind: Kind::Word,
            text: String::new(),
            start: at,
            end,
        });
        token.text.push(literal);
        token.end = chars.peek().map_or(text.len(), |&(next, _)| next);
    }
    tokens.extend(word);
    Ok(tokens)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Connective {
    And,
    Or,
}

struct Parser<'a> {
    text: &'a str,
    tokens: Vec<Token>,
    pos: usize,
    names: &'a dyn Resolver,
    /// Nesting of `(` and `not`, bounded so hostile input cannot exhaust the stack.
    depth: usize,
}

/// Longer than any real filter; keeps the (left-deep) expression tree shallow enough to walk.
const MAX_TOKENS: usize = 10_000;

/// Deeper nesting than any real filter needs.
const MAX_DEPTH: usize = 256;

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn peek_word(&self) -> Option<&str> {
        self.peek()
            .filter(|t| t.kind == Kind::Word)
            .map(|t| t.text.as_str())
    }

    fn error_at(&self, token: &Token, message: String) -> ParseError {
        ParseError::new(self.text, token.start, token.end, message)
    }

    /// An error about a missing token: at the next token, or just past the end of the text.
    fn expected(&self, what: &str) -> ParseError {
        match self.peek() {
            Some(token) => self.error_at(token, format!("expected {what}, found `{}`", token.text)),
            None => {
                let end = self.text.trim_end().len();
                ParseError::new(
                    self.text,
                    end,
                    end,
                    format!("expected {what} at the end of the expression"),
                )
            }
        }
    }

    /// The top level: a leading run of state clauses followed directly by an expression applies
    /// to all of it, as on ss's command line (`state established dport = :80 or dport = :443`).
    fn filter(&mut self) -> Result<Expr, ParseError> {
        if !self.peek_word().is_some_and(is_state_keyword) {
            return self.list();
        }
        let states = self.states()?;
        match self.peek() {
            None => Ok(states),
            Some(t) if t.kind == Kind::Word && connective(&t.text).is_some() => {
                self.list_from(states, self.tokens[0].start)
            }
            Some(_) => {
                let rest = self.list()?;
                Ok(Expr::And(Box::new(states), Box::new(rest)))
            }
        }
    }

    fn list(&mut self) -> Result<Expr, ParseError> {
        let start = self.peek().map_or(self.text.len(), |t| t.start);
        let first = self.unary()?;
        self.list_from(first, start)
    }

    /// Continues a list whose first operand is parsed; `start` is where that operand began.
    fn list_from(&mut self, mut left: Expr, start: usize) -> Result<Expr, ParseError> {
        let mut seen: Option<Connective> = None;
        while let Some(token) = self.peek() {
            if token.kind == Kind::Close {
                break;
            }
            let at = token.clone();
            let explicit = if token.kind == Kind::Word {
                connective(&token.text)
            } else {
                None
            };
            let kind = explicit.unwrap_or(Connective::And);
            if let Some(first) = seen
                && first != kind
            {
                return Err(self.mixed(start, &at, first));
            }
            seen = Some(kind);
            if explicit.is_some() {
                self.pos += 1;
            }
            let right = self.unary()?;
            left = match kind {
                Connective::And => Expr::And(Box::new(left), Box::new(right)),
                Connective::Or => Expr::Or(Box::new(left), Box::new(right)),
            };
        }
        Ok(left)
    }

    /// The error for `and` and `or` mixed at one level (the list began at `start`, `first` is
    /// its connective, `at` the token that breaks it), showing how ss groups them.
    fn mixed(&self, start: usize, at: &Token, first: Connective) -> ParseError {
        // A condition right after another is an implied `and`.
        let implicit = at.kind != Kind::Word || connective(&at.text).is_none();
        // The list ends at the `)` that closes it, or at the end of the text.
        let mut depth = 0usize;
        let mut end = self.text.len();
        for token in &self.tokens[self.pos..] {
            match token.kind {
                Kind::Open => depth += 1,
                Kind::Close if depth == 0 => {
                    end = token.start;
                    break;
                }
                Kind::Close => depth -= 1,
                Kind::Word => {}
            }
        }
        let head = self.text.get(start..at.start).unwrap_or("").trim_end();
        let tail = self.text.get(at.start..end).unwrap_or("").trim_end();
        let what = if implicit {
            "an implied `and` (two conditions side by side) follows `or`".to_string()
        } else {
            let first = match first {
                Connective::And => "and",
                Connective::Or => "or",
            };
            format!("`{}` follows `{first}`", at.text)
        };
        let message = format!(
            "`and` and `or` mixed without parentheses: {what}; ss reads them left to right, \
             as `( {head} ) {}{tail}`. Add parentheses to say which you mean",
            if implicit { "and " } else { "" }
        );
        ParseError::new(self.text, at.start, at.end, message)
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        if self.depth >= MAX_DEPTH {
            return Err(self.expected(&format!("at most {MAX_DEPTH} levels of `(` and `not`")));
        }
        self.depth += 1;
        let expr = if matches!(self.peek_word(), Some("!" | "not")) {
            self.pos += 1;
            self.unary().map(|e| Expr::Not(Box::new(e)))
        } else {
            self.primary()
        };
        self.depth -= 1;
        expr
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let Some(token) = self.peek().cloned() else {
            return Err(self.expected("a condition"));
        };
        match token.kind {
            Kind::Close => return Err(self.expected("a condition")),
            Kind::Open => {
                self.pos += 1;
                if self.peek().is_some_and(|t| t.kind == Kind::Close) {
                    return Err(self.expected("a condition inside the parentheses"));
                }
                let inner = self.list()?;
                return match self.peek() {
                    Some(t) if t.kind == Kind::Close => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(self.error_at(&token, "unbalanced `(`: no `)` closes it".to_string())),
                };
            }
            Kind::Word => {}
        }
        match token.text.as_str() {
            word if is_state_keyword(word) => self.states(),
            "src" | "dst" => self.host_term(&token),
            "sport" | "dport" => self.port_term(&token),
            "dev" => self.dev_term(&token),
            "fwmark" | "cgroup" | "autobound" => {
                Err(self.error_at(&token, format!("`{}` is not supported by this filter", token.text)))
            }
            word if connective(word).is_some() || word == "!" || word == "not" => {
                Err(self.expected("a condition"))
            }
            word => Err(self.error_at(
                &token,
                format!(
                    "unknown keyword `{word}`: expected state, exclude, src, dst, sport, dport, dev, not or `(`"
                ),
            )),
        }
    }

    /// A run of `state NAME` / `exclude NAME` clauses, combined as ss does: the first `state`
    /// starts from nothing, the first `exclude` from everything; later clauses add or remove.
    fn states(&mut self) -> Result<Expr, ParseError> {
        let mut mask: Option<StateMask> = None;
        while let Some(keyword) = self
            .peek()
            .filter(|t| t.kind == Kind::Word && is_state_keyword(&t.text))
            .cloned()
        {
            self.pos += 1;
            let Some(name) = self.peek().filter(|t| t.kind == Kind::Word).cloned() else {
                return Err(self.expected(&format!("a state name after `{}`", keyword.text)));
            };
            let Some(states) = state_set(&name.text) else {
                return Err(self.error_at(
                    &name,
                    format!(
                        "unknown state `{}`: expected established, syn-sent, syn-recv, fin-wait-1, \
                         fin-wait-2, time-wait, closed, close-wait, last-ack, listening, closing, \
                         or a group: all, connected, synchronized, bucket, big",
                        name.text
                    ),
                ));
            };
            self.pos += 1;
            mask = Some(if keyword.text == "state" {
                mask.unwrap_or(StateMask(0)).union(states)
            } else {
                mask.unwrap_or(ALL).without(states)
            });
        }
        Ok(Expr::States(mask.unwrap_or(ALL)))
    }

    /// `src|dst [=|==|eq|!=|ne|neq] HOST`
    fn host_term(&mut self, keyword: &Token) -> Result<Expr, ParseError> {
        self.pos += 1;
        let end = if keyword.text == "src" {
            End::Local
        } else {
            End::Remote
        };
        if let Some(Cmp::Lt | Cmp::Le | Cmp::Gt | Cmp::Ge) = self.peek_word().and_then(comparison) {
            return Err(self.expected(&format!(
                "`=` or `!=` after `{}` (ordering applies to ports)",
                keyword.text
            )));
        }
        let negate = self.equality();
        let Some(host) = self.peek().filter(|t| t.kind == Kind::Word).cloned() else {
            return Err(self.expected(&format!("an address after `{}`", keyword.text)));
        };
        self.pos += 1;
        let any_of = host_conds(&host.text, self.names).map_err(|m| self.error_at(&host, m))?;
        let term = Expr::Host { end, any_of };
        Ok(if negate {
            Expr::Not(Box::new(term))
        } else {
            term
        })
    }

    /// `sport|dport OP :PORT`
    fn port_term(&mut self, keyword: &Token) -> Result<Expr, ParseError> {
        self.pos += 1;
        let end = if keyword.text == "sport" {
            End::Local
        } else {
            End::Remote
        };
        let Some(cmp) = self.peek_word().and_then(comparison) else {
            return Err(self.expected(&format!(
                "a comparison after `{}` (= != < <= > >= or eq ne lt le gt ge)",
                keyword.text
            )));
        };
        self.pos += 1;
        let Some(operand) = self.peek().filter(|t| t.kind == Kind::Word).cloned() else {
            return Err(self.expected("a port such as `:80`"));
        };
        self.pos += 1;
        let port = port(&operand.text, self.names).map_err(|m| self.error_at(&operand, m))?;
        let any = || Expr::Host {
            end,
            any_of: vec![HostCond {
                prefix: None,
                port: None,
            }],
        };
        match (cmp, port) {
            (Cmp::Eq, None) => Ok(any()),
            (Cmp::Ne, None) => Ok(Expr::Not(Box::new(any()))),
            (_, None) => Err(self.error_at(
                &operand,
                "`*` can only be compared with `=` or `!=`".to_string(),
            )),
            (cmp, Some(port)) => Ok(Expr::Port { end, cmp, port }),
        }
    }

    /// An optional `=` or `!=` (in any spelling), taken if there: whether it negates.
    fn equality(&mut self) -> bool {
        let negate = match self.peek_word().and_then(comparison) {
            Some(Cmp::Eq) => false,
            Some(Cmp::Ne) => true,
            _ => return false,
        };
        self.pos += 1;
        negate
    }

    /// `dev [=|!=] NAME`: an interface name or index.
    fn dev_term(&mut self, keyword: &Token) -> Result<Expr, ParseError> {
        self.pos += 1;
        let negate = self.equality();
        let Some(name) = self.peek().filter(|t| t.kind == Kind::Word).cloned() else {
            return Err(self.expected(&format!("an interface name after `{}`", keyword.text)));
        };
        self.pos += 1;
        let index = self
            .names
            .interface(&name.text)
            .or_else(|| name.text.parse::<u32>().ok().filter(|&i| i != 0))
            .ok_or_else(|| self.error_at(&name, format!("no interface named `{}`", name.text)))?;
        let term = Expr::Dev(index);
        Ok(if negate {
            Expr::Not(Box::new(term))
        } else {
            term
        })
    }
}

const ALL: StateMask = StateMask(0xffe);

fn is_state_keyword(word: &str) -> bool {
    matches!(word, "state" | "exclude" | "excl")
}

fn connective(word: &str) -> Option<Connective> {
    match word {
        "and" | "&" | "&&" => Some(Connective::And),
        "or" | "|" | "||" => Some(Connective::Or),
        _ => None,
    }
}

fn comparison(word: &str) -> Option<Cmp> {
    Some(match word {
        "=" | "==" | "eq" => Cmp::Eq,
        "!=" | "ne" | "neq" => Cmp::Ne,
        "<" | "lt" => Cmp::Lt,
        "<=" | "le" | "leq" => Cmp::Le,
        ">" | "gt" => Cmp::Gt,
        ">=" | "ge" | "geq" => Cmp::Ge,
        _ => return None,
    })
}

/// A state name or group (case-insensitive, as in ss).
fn state_set(name: &str) -> Option<StateMask> {
    let of = |states: &[State]| StateMask(states.iter().fold(0, |m, &s| m | StateMask::of(s).0));
    let connected = ALL.without(of(&[State::LISTEN, State::CLOSE]));
    let bucket = of(&[State::SYN_RECV, State::TIME_WAIT]);
    Some(match name.to_ascii_lowercase().as_str() {
        "established" => of(&[State::ESTABLISHED]),
        "syn-sent" => of(&[State::SYN_SENT]),
        "syn-recv" | "syn-rcv" => of(&[State::SYN_RECV]),
        "fin-wait-1" => of(&[State::FIN_WAIT1]),
        "fin-wait-2" => of(&[State::FIN_WAIT2]),
        "time-wait" => of(&[State::TIME_WAIT]),
        "closed" | "close" | "unconnected" => of(&[State::CLOSE]),
        "close-wait" => of(&[State::CLOSE_WAIT]),
        "last-ack" => of(&[State::LAST_ACK]),
        "listening" => of(&[State::LISTEN]),
        "closing" => of(&[State::CLOSING]),
        "all" => ALL,
        "connected" => connected,
        "synchronized" => connected.without(of(&[State::SYN_SENT])),
        "bucket" => bucket,
        "big" => ALL.without(bucket),
        _ => return None,
    })
}

/// A port operand: `:80`, `80`, `:http`, or `*` (any; `None`).
fn port(word: &str, names: &dyn Resolver) -> Result<Option<u16>, String> {
    let name = word.strip_prefix(':').unwrap_or(word);
    if name == "*" {
        return Ok(None);
    }
    if name.is_empty() {
        return Err(format!(
            "`{word}` does not look like a port: expected a number or service name after `:`"
        ));
    }
    if name.bytes().all(|b| b.is_ascii_digit()) {
        return match name.parse::<u16>() {
            Ok(port) => Ok(Some(port)),
            Err(_) => Err(format!("port `{name}` is out of range (0-65535)")),
        };
    }
    match names.service(name)[..] {
        [port] => Ok(Some(port)),
        [] => Err(format!(
            "`{word}` does not look like a port: not a number or a known service"
        )),
        _ => Err(format!(
            "service `{name}` is ambiguous: it names different TCP and UDP ports"
        )),
    }
}

/// The family an `inet:` or `inet6:` prefix names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum AddrFamily {
    V4,
    V6,
}

impl AddrFamily {
    fn holds(self, ip: IpAddr) -> bool {
        ip.is_ipv4() == (self == AddrFamily::V4)
    }

    /// The family's unspecified address: `inet:*` is a zero-length prefix of the family.
    fn any(self) -> IpAddr {
        match self {
            AddrFamily::V4 => IpAddr::V4(Ipv4Addr::UNSPECIFIED),
            AddrFamily::V6 => IpAddr::V6(Ipv6Addr::UNSPECIFIED),
        }
    }
}

/// A host operand: `[inet:|inet6:]` then `*`, `*:PORT`, `ADDR[/LEN][:PORT]`, `[V6[/LEN]][:PORT]`,
/// a bare IPv6 `ADDR[/LEN]`, or a host name.
fn host_conds(word: &str, names: &dyn Resolver) -> Result<Vec<HostCond>, String> {
    let (family, rest) = family_prefix(word)?;
    if rest.is_empty() {
        return Err("expected an address, `*` or `:PORT`".to_string());
    }
    let (addr, port_text) = split_port(word, rest)?;
    let port = match port_text {
        Some(text) => port(text, names)?,
        None => None,
    };
    if addr.is_empty() || addr == "*" {
        let prefix = family.map(|f| Prefix {
            addr: f.any(),
            len: 0,
        });
        return Ok(vec![HostCond { prefix, port }]);
    }
    let (addr_text, len_text) = match addr.split_once('/') {
        Some((a, l)) => (a, Some(l)),
        None => (addr, None),
    };
    let mut conds = Vec::new();
    for ip in addresses(addr_text, names)? {
        let len = prefix_len(ip, len_text)?;
        if family.is_none_or(|f| f.holds(ip)) {
            conds.push(HostCond {
                prefix: Some(Prefix { addr: ip, len }),
                port,
            });
        }
    }
    if conds.is_empty() {
        return Err(format!(
            "`{word}`: the address is not of the family its prefix names"
        ));
    }
    Ok(conds)
}

/// Splits off an `inet:` or `inet6:` prefix; the other families are refused.
fn family_prefix(word: &str) -> Result<(Option<AddrFamily>, &str), String> {
    if let Some(rest) = word.strip_prefix("inet:") {
        return Ok((Some(AddrFamily::V4), rest));
    }
    if let Some(rest) = word.strip_prefix("inet6:") {
        return Ok((Some(AddrFamily::V6), rest));
    }
    for other in ["unix:", "link:", "netlink:", "vsock:"] {
        if word.starts_with(other) {
            return Err(format!(
                "`{other}` addresses are not supported: the filter applies to Internet sockets"
            ));
        }
    }
    Ok((None, word))
}

/// Splits `rest` (of the operand `word`) into the address and the `:PORT` part, if any.
fn split_port<'w>(word: &str, rest: &'w str) -> Result<(&'w str, Option<&'w str>), String> {
    if let Some(inner) = rest.strip_prefix('[') {
        let close = inner
            .find(']')
            .ok_or_else(|| format!("`{word}`: `[` without a closing `]`"))?;
        let after = &inner[close + 1..];
        if !after.is_empty() && !after.starts_with(':') {
            return Err(format!(
                "`{after}` after `]` is not a port: write `[ADDR/LEN]:PORT` (the prefix goes inside the brackets)"
            ));
        }
        return Ok((&inner[..close], (!after.is_empty()).then_some(after)));
    }
    if rest.matches(':').count() >= 2 {
        return Ok((rest, None)); // a bare IPv6 address cannot carry a port
    }
    Ok(match rest.rfind(':') {
        Some(colon) => (&rest[..colon], Some(&rest[colon..])),
        None => (rest, None),
    })
}

/// The addresses an address or host name stands for.
fn addresses(text: &str, names: &dyn Resolver) -> Result<Vec<IpAddr>, String> {
    if let Some(ip) = ip_literal(text)? {
        return Ok(vec![ip]);
    }
    let found = names.host(text);
    if found.is_empty() {
        return Err(format!(
            "`{text}` is neither an address nor a known host name"
        ));
    }
    Ok(found)
}

/// The prefix length of `/LEN` for `ip`: all of its bits without one.
fn prefix_len(ip: IpAddr, text: Option<&str>) -> Result<u8, String> {
    let max = if ip.is_ipv4() { 32 } else { 128 };
    let Some(text) = text else {
        return Ok(max);
    };
    match text.parse::<u8>() {
        Ok(len) if len <= max => Ok(len),
        _ => Err(format!(
            "`/{text}` is not a prefix length for {ip} (0-{max})"
        )),
    }
}

/// A literal address: IPv6, or IPv4 with one to four dotted parts (`127` = 127.0.0.0, as in
/// iproute2). `Ok(None)` for something that may be a host name.
fn ip_literal(text: &str) -> Result<Option<IpAddr>, String> {
    if text.contains(':') {
        return match text.parse::<Ipv6Addr>() {
            Ok(ip) => Ok(Some(IpAddr::V6(ip))),
            Err(_) => Err(format!("`{text}` is not a valid IPv6 address")),
        };
    }
    if !text.bytes().all(|b| b.is_ascii_digit() || b == b'.') {
        return Ok(None);
    }
    let mut octets = [0u8; 4];
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() > 4 {
        return Err(format!("`{text}` is not a valid IPv4 address"));
    }
    for (octet, part) in octets.iter_mut().zip(&parts) {
        *octet = part
            .parse()
            .map_err(|_| format!("`{text}` is not a valid IPv4 address"))?;
    }
    Ok(Some(IpAddr::V4(Ipv4Addr::from(octets))))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::{Filter, NumericNames};

    /// Resolves `http` to 80, `ambig` to two ports, `lo` to 1, `web.test` to two addresses.
    struct TestNames;

    impl Resolver for TestNames {
        fn service(&self, name: &str) -> Vec<u16> {
            match name {
                "http" => vec![80],
                "ambig" => vec![1, 2],
                _ => vec![],
            }
        }
        fn host(&self, name: &str) -> Vec<IpAddr> {
            match name {
                "web.test" => vec!["10.0.0.1".parse().unwrap(), "fd00::1".parse().unwrap()],
                _ => vec![],
            }
        }
        fn interface(&self, name: &str) -> Option<u32> {
            (name == "lo").then_some(1)
        }
    }

    fn parse_ok(text: &str) -> Expr {
        Filter::parse_with(text, &TestNames)
            .unwrap_or_else(|e| panic!("{text:?}: {e}"))
            .expr
            .unwrap()
    }

    fn parse_err(text: &str) -> ParseError {
        match Filter::parse_with(text, &TestNames) {
            Ok(f) => panic!("{text:?} parsed as {f:?}"),
            Err(e) => e,
        }
    }

    fn port(end: End, cmp: Cmp, port: u16) -> Expr {
        Expr::Port { end, cmp, port }
    }

    fn prefix(addr: &str, len: u8) -> Option<Prefix> {
        Some(Prefix {
            addr: addr.parse().unwrap(),
            len,
        })
    }

    fn and(a: Expr, b: Expr) -> Expr {
        Expr::And(Box::new(a), Box::new(b))
    }

    fn or(a: Expr, b: Expr) -> Expr {
        Expr::Or(Box::new(a), Box::new(b))
    }

    fn not(a: Expr) -> Expr {
        Expr::Not(Box::new(a))
    }

    #[test]
    fn every_comparison_spelling() {
        let spellings: &[(&[&str], Cmp)] = &[
            (&["=", "==", "eq"], Cmp::Eq),
            (&["!=", "ne", "neq"], Cmp::Ne),
            (&["<", "lt"], Cmp::Lt),
            (&["<=", "le", "leq"], Cmp::Le),
            (&[">", "gt"], Cmp::Gt),
            (&[">=", "ge", "geq"], Cmp::Ge),
        ];
        for (words, cmp) in spellings {
            for word in *words {
                assert_eq!(
                    parse_ok(&format!("sport {word} :80")),
                    port(End::Local, *cmp, 80)
                );
                assert_eq!(
                    parse_ok(&format!("dport {word} 443")),
                    port(End::Remote, *cmp, 443)
                );
            }
        }
        assert_eq!(parse_ok("dport = :http"), port(End::Remote, Cmp::Eq, 80));
    }

    #[test]
    fn connective_and_negation_spellings() {
        let a = || port(End::Local, Cmp::Eq, 1);
        let b = || port(End::Local, Cmp::Eq, 2);
        for word in ["and", "&", "&&"] {
            assert_eq!(
                parse_ok(&format!("sport = :1 {word} sport = :2")),
                and(a(), b())
            );
        }
        assert_eq!(
            parse_ok("sport = :1 sport = :2"),
            and(a(), b()),
            "juxtaposition is and"
        );
        for word in ["or", "|", "||"] {
            assert_eq!(
                parse_ok(&format!("sport = :1 {word} sport = :2")),
                or(a(), b())
            );
        }
        for word in ["!", "not"] {
            assert_eq!(parse_ok(&format!("{word} sport = :1")), not(a()));
        }
        assert_eq!(parse_ok("not not sport = :1"), not(not(a())));
        // Parentheses need not be separate words.
        assert_eq!(
            parse_ok("(sport = :1 or sport = :2) and not(sport = :1)"),
            and(or(a(), b()), not(a()))
        );
        assert_eq!(parse_ok("((( sport = :1 )))"), a());
    }

    #[test]
    fn states_and_groups() {
        let mask =
            |states: &[u8]| Expr::States(StateMask(states.iter().fold(0, |m, s| m | 1 << s)));
        assert_eq!(parse_ok("state established"), mask(&[1]));
        assert_eq!(parse_ok("state ESTABLISHED state Time-Wait"), mask(&[1, 6]));
        assert_eq!(parse_ok("state syn-rcv"), mask(&[3]));
        assert_eq!(parse_ok("state unconnected"), mask(&[7]));
        assert_eq!(
            parse_ok("exclude listening"),
            mask(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 11])
        );
        assert_eq!(
            parse_ok("excl listening excl closed"),
            mask(&[1, 2, 3, 4, 5, 6, 8, 9, 11])
        );
        assert_eq!(
            parse_ok("state connected"),
            mask(&[1, 2, 3, 4, 5, 6, 8, 9, 11])
        );
        assert_eq!(
            parse_ok("state synchronized"),
            mask(&[1, 3, 4, 5, 6, 8, 9, 11])
        );
        assert_eq!(parse_ok("state bucket"), mask(&[3, 6]));
        assert_eq!(parse_ok("state big"), mask(&[1, 2, 4, 5, 7, 8, 9, 10, 11]));
        assert_eq!(
            parse_ok("state all"),
            mask(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
        );
        // A leading run applies to the whole expression, as on ss's command line.
        assert_eq!(
            parse_ok("state listening sport = :1 or sport = :2"),
            and(
                mask(&[10]),
                or(port(End::Local, Cmp::Eq, 1), port(End::Local, Cmp::Eq, 2))
            )
        );
        // With an explicit connective it is an ordinary operand.
        assert_eq!(
            parse_ok("state established and not ( dport = :80 or dport = :443 )"),
            and(
                mask(&[1]),
                not(or(
                    port(End::Remote, Cmp::Eq, 80),
                    port(End::Remote, Cmp::Eq, 443)
                ))
            )
        );
        assert_eq!(parse_ok("not state listening"), not(mask(&[10])));
    }

    #[test]
    fn hosts_prefixes_and_ports() {
        // (operand, prefix address and length, port) of a one-condition `src` or `dst` term.
        type Case<'a> = (&'a str, Option<(&'a str, u8)>, Option<u16>);
        let single: &[Case] = &[
            ("src 127.0.0.1/8", Some(("127.0.0.1", 8)), None),
            ("dst = 10.1.0.2", Some(("10.1.0.2", 32)), None),
            ("dst 127/8", Some(("127.0.0.0", 8)), None),
            ("dst 10.0.0.1:80", Some(("10.0.0.1", 32)), Some(80)),
            ("src [::1]", Some(("::1", 128)), None),
            ("src [fd01::/16]:http", Some(("fd01::", 16)), Some(80)),
            ("src fd01::/16", Some(("fd01::", 16)), None),
            ("src ::1", Some(("::1", 128)), None),
            ("src *", None, None),
            ("src *:80", None, Some(80)),
            ("dst :80", None, Some(80)),
            ("dst inet6:*", Some(("::", 0)), None),
            ("dst inet:web.test", Some(("10.0.0.1", 32)), None),
            ("sport = :*", None, None),
        ];
        let cond = |p: Option<(&str, u8)>, port| HostCond {
            prefix: p.and_then(|(addr, len)| prefix(addr, len)),
            port,
        };
        for &(text, p, port) in single {
            let end = if text.starts_with('s') {
                End::Local
            } else {
                End::Remote
            };
            let any_of = vec![cond(p, port)];
            assert_eq!(parse_ok(text), Expr::Host { end, any_of }, "{text}");
        }
        assert_eq!(
            parse_ok("dst != 10.0.0.1"),
            not(Expr::Host {
                end: End::Remote,
                any_of: vec![cond(Some(("10.0.0.1", 32)), None)]
            })
        );
        assert_eq!(
            parse_ok("dst web.test"),
            Expr::Host {
                end: End::Remote,
                any_of: vec![
                    cond(Some(("10.0.0.1", 32)), None),
                    cond(Some(("fd00::1", 128)), None)
                ]
            }
        );
        assert_eq!(parse_ok("dev lo"), Expr::Dev(1));
        assert_eq!(parse_ok("dev != 7"), not(Expr::Dev(7)));
    }

    #[test]
    fn mixed_connectives_are_rejected_with_the_ss_reading() {
        let e = parse_err("sport = :8080 or sport = :5006 and dport = :5006");
        assert_eq!(e.column(), 32);
        assert_eq!(e.width(), 3);
        assert!(
            e.message()
                .contains("as `( sport = :8080 or sport = :5006 ) and dport = :5006`"),
            "{}",
            e.message()
        );
        // An implied `and` counts, and the suggestion stops at the closing parenthesis.
        let e = parse_err("not ( sport = :1 or sport = :2 dport = :3 ) and src *");
        assert_eq!(e.column(), 32);
        assert!(
            e.message()
                .contains("as `( sport = :1 or sport = :2 ) and dport = :3`"),
            "{}",
            e.message()
        );
        parse_err("state established dport = :1 or dport = :2 && dport = :3");
        // The same connective repeated, or mixed across parentheses, is fine.
        parse_ok("sport = :1 or sport = :2 || sport = :3");
        parse_ok("( sport = :1 or sport = :2 ) and dport = :3");
    }

    #[test]
    fn errors_say_what_was_expected_and_where() {
        // The text, the column the error points at, and words of its message.
        let cases = r#"
            ( sport = :1                     |  1 | unbalanced `(`
            sport = :1 )                     | 12 | unbalanced `)`
            ( )                              |  3 | expected a condition inside the parentheses, found `)`
            )                                |  1 | expected a condition, found `)`
            sport = :70000                   |  9 | port `70000` is out of range
            sport = :99999999999999999999999 |  9 | out of range
            sport = :nosuch                  |  9 | does not look like a port
            sport = :ambig                   |  9 | ambiguous
            sport = :                        |  9 | does not look like a port
            sport :80                        |  7 | expected a comparison after `sport`
            sport =                          |  8 | expected a port such as `:80` at the end
            sport > :*                       |  9 | `*` can only be compared
            src 10.0.0.0/33                  |  5 | is not a prefix length
            src 10.0.0.0/-1                  |  5 | is not a prefix length
            src [::1]/64                     |  5 | the prefix goes inside the brackets
            src [::1                         |  5 | without a closing `]`
            src 300.1.1.1                    |  5 | not a valid IPv4 address
            src 1.2.3.4.5                    |  5 | not a valid IPv4 address
            src fd01:::1/16                  |  5 | not a valid IPv6 address
            src nosuch.host                  |  5 | neither an address nor a known host name
            src unix:/tmp/x                  |  5 | not supported
            src                              |  4 | expected an address after `src` at the end
            src >= :80                       |  5 | expected `=` or `!=`
            state listen                     |  7 | unknown state `listen`
            state                            |  6 | expected a state name after `state`
            dev nosuch0                      |  5 | no interface named `nosuch0`
            fwmark = 1                       |  1 | not supported
            bogus                            |  1 | unknown keyword `bogus`
            sport = :1 and                   | 15 | expected a condition at the end
            and sport = :1                   |  1 | expected a condition, found `and`
            not                              |  4 | expected a condition at the end
            sport = :1 \                     | 12 | escapes nothing
            état = 1                         |  1 | unknown keyword `état`
            src é:1                          |  5 | neither an address
        "#;
        for case in cases.lines().filter(|l| !l.trim().is_empty()) {
            let [text, column, needle] = case.split(" | ").map(str::trim).collect::<Vec<_>>()[..]
            else {
                panic!("{case}");
            };
            let column: usize = column.parse().expect("a column");
            let e = parse_err(text);
            assert!(
                e.message().contains(needle),
                "{text:?}: {:?} lacks {needle:?}",
                e.message()
            );
            assert_eq!(e.column(), column, "{text:?}: {e}");
        }
        // Columns count characters, not bytes.
        assert_eq!(parse_err("src é.é bogus").column(), 5);
    }

    #[test]
    fn hostile_input_never_panics() {
        let deep = "(".repeat(200) + "sport = :1" + &")".repeat(200);
        parse_ok(&deep);
        parse_err(&"(".repeat(200));
        parse_err(&")".repeat(200));
        let e = parse_err(&"( ".repeat(1000));
        assert!(e.message().contains("at most 256 levels"), "{e}");
        assert!(
            parse_err(&"not ".repeat(1000))
                .message()
                .contains("at most 256 levels")
        );
        assert!(
            parse_err(&"not ".repeat(100_000))
                .message()
                .contains("too long")
        );
        let e = parse_err(&vec!["sport = :1"; 5000].join(" or "));
        assert!(e.message().contains("too long"), "{e}");
        for text in [
            "\\(",
            "[",
            "src [",
            "src []",
            "src [:",
            "src :",
            "src ::::",
            "dst inet:",
            "src /",
            "src 1.2.3.4/",
            "\u{0}",
            "sport = :\u{200b}",
        ] {
            let _ = Filter::parse_with(text, &TestNames);
        }
    }

    #[test]
    fn empty_and_numeric_only() {
        assert_eq!(Filter::parse_with("  ", &TestNames).unwrap().expr(), None);
        assert!(Filter::parse_with("dport = :http", &NumericNames).is_err());
        assert!(Filter::parse_with("dport = :80", &NumericNames).is_ok());
        // An escaped parenthesis is part of a word.
        assert!(
            parse_err("dev lo\\)")
                .message()
                .contains("no interface named `lo)`")
        );
    }
}
