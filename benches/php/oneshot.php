<?php
// One-shot `session-warden-engine call` via proc_open against proc_open of
// /bin/cat with the same input, interleaved call by call so both see the same
// machine load. usage: php oneshot.php ENGINE REQUEST.json [N]
declare(strict_types=1);

[$engine, $file] = [$argv[1] ?? '', $argv[2] ?? ''];
$n = (int) ($argv[3] ?? 500);
$req = json_decode((string) file_get_contents($file), true, 512, JSON_THROW_ON_ERROR);
$input = json_encode(['v' => 1, 'id' => 1] + $req, JSON_THROW_ON_ERROR);

function run(array $cmd, string $input): string
{
    $p = proc_open($cmd, [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
    if (!is_resource($p)) {
        fwrite(STDERR, "proc_open failed\n");
        exit(1);
    }
    fwrite($pipes[0], $input);
    fclose($pipes[0]);
    $out = (string) stream_get_contents($pipes[1]);
    stream_get_contents($pipes[2]);
    fclose($pipes[1]);
    fclose($pipes[2]);
    proc_close($p);
    return $out;
}

$eng = [];
$cat = [];
for ($i = -10; $i < $n; $i++) {
    // Alternate which goes first so neither always runs right after the other.
    $order = ($i % 2 === 0) ? ['e', 'c'] : ['c', 'e'];
    foreach ($order as $which) {
        $t = hrtime(true);
        if ($which === 'e') {
            $out = run([$engine, 'call'], $input);
            $d = hrtime(true) - $t;
            if (!str_contains($out, '"ok"')) {
                fwrite(STDERR, "unexpected reply: $out\n");
                exit(1);
            }
            if ($i >= 0) {
                $eng[] = $d;
            }
        } else {
            run(['/bin/cat'], $input);
            $d = hrtime(true) - $t;
            if ($i >= 0) {
                $cat[] = $d;
            }
        }
    }
}

function pct(array $xs, float $p): float
{
    sort($xs);
    return $xs[(int) floor((count($xs) - 1) * $p)] / 1000.0;
}
printf("oneshot_n=%d\n", $n);
printf("oneshot_us_median=%.0f\noneshot_us_p99=%.0f\n", pct($eng, 0.5), pct($eng, 0.99));
printf("cat_us_median=%.0f\ncat_us_p99=%.0f\n", pct($cat, 0.5), pct($cat, 0.99));
printf("oneshot_ratio_median=%.2f\n", pct($eng, 0.5) / pct($cat, 0.5));
