<?php

declare(strict_types=1);

namespace SessionWarden\Wasm;

/**
 * Instantiation failed: a missing or mismatching import, or an active segment
 * that does not fit.
 */
final class LinkError extends \RuntimeException {
}
