//! Import of OWASP Threat Dragon models (written below).
