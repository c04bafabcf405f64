<?php
// Round trip from PHP to the engine daemon over a unix socket: one persistent
// connection, one JSON line per request, the reply decoded as the plugin would.
// usage: php daemon.php SOCKET REQUEST.json [N]
declare(strict_types=1);

[$sock, $file] = [$argv[1] ?? '', $argv[2] ?? ''];
$n = (int) ($argv[3] ?? 10000);
$req = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);

$s = stream_socket_client('unix://' . $sock, $errno, $errstr, 5.0);
if ($s === false) {
    fwrite(STDERR, "cannot connect to $sock: $errstr\n");
    exit(1);
}
stream_set_timeout($s, 10);

$lat = [];
for ($i = -500; $i < $n; $i++) {
    $line = json_encode(['v' => 1, 'id' => $i] + $req, JSON_THROW_ON_ERROR) . "\n";
    $t = hrtime(true);
    fwrite($s, $line);
    $reply = fgets($s);
    $r = json_decode((string) $reply, true);
    $d = hrtime(true) - $t;
    if (!is_array($r) || !isset($r['ok']) || $r['id'] !== $i) {
        fwrite(STDERR, "unexpected reply: $reply\n");
        exit(1);
    }
    if ($i >= 0) {
        $lat[] = $d;
    }
}
fclose($s);

// Connect + request + close, as a PHP request without a persistent socket pays it.
$conn = [];
for ($i = -50; $i < 1000; $i++) {
    $line = json_encode(['v' => 1, 'id' => $i] + $req, JSON_THROW_ON_ERROR) . "\n";
    $t = hrtime(true);
    $c = stream_socket_client('unix://' . $sock, $errno, $errstr, 5.0);
    fwrite($c, $line);
    $reply = fgets($c);
    fclose($c);
    $d = hrtime(true) - $t;
    if ($i >= 0) {
        $conn[] = $d;
    }
}

function pct(array $xs, float $p): float
{
    sort($xs);
    return $xs[(int) floor((count($xs) - 1) * $p)] / 1000.0;
}
printf("daemon_n=%d\n", $n);
printf("daemon_us_median=%.1f\ndaemon_us_p99=%.1f\n", pct($lat, 0.5), pct($lat, 0.99));
printf("daemon_connect_us_median=%.1f\ndaemon_connect_us_p99=%.1f\n", pct($conn, 0.5), pct($conn, 0.99));
