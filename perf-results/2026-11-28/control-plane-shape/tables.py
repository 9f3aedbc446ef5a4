#!/usr/bin/env python3
"""Prints the tables of ../control-plane-shape.md from summary.json: per benchmark, path and rate, the ratio to direct
in the same JMH run (UDP: the loss in percent), mean and range over the rounds, for main and for this branch."""
import json, os, statistics as st, sys

rows = json.load(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'summary.json')))


def table(set_name, rounds=None):
    sel = [r for r in rows if r['set'] == set_name and (rounds is None or r['round'] in rounds)]
    runs = {}
    for r in sel:
        runs.setdefault((r['build'], r['round']), {})[(r['benchmark'], r['params'].get('path'), r['params'].get('rate'))] = r
    keys = sorted({k for run in runs.values() for k in run})
    print('| benchmark | path | rate | figure | main, mean (min-max) | branch, mean (min-max) | branch / main |')
    print('|---|---|---|---|---|---|---|')
    for k in keys:
        bench, path, rate = k
        udp = 'lost' in next(run[k] for run in runs.values() if k in run)
        if path == 'direct' and not udp:
            continue
        figures = ['loss %'] if udp else ['p50', 'p99']
        for fig in figures:
            vals = {}
            for (build, rnd), run in sorted(runs.items()):
                r = run[k]
                if udp:
                    v = 100.0 * r['lost'] / r['sent']
                else:
                    v = r[fig] / run[(bench, 'direct', rate)][fig]
                vals.setdefault(build, []).append(v)
            a, b = vals['main'], vals['branch']
            f = (lambda x: '%.2f %%' % x) if udp else (lambda x: '%.2fx' % x)
            ratio = '%.2f' % (st.mean(b) / st.mean(a)) if st.mean(a) > 0 else 'n/a'
            name = 'loss' if udp else fig + ' / direct'
            print('| %s | %s | %s | %s | %s (%s-%s) | %s (%s-%s) | %s |' % (bench.split('.')[0], path, rate or '', name,
                  f(st.mean(a)), f(min(a)), f(max(a)), f(st.mean(b)), f(min(b)), f(max(b)), ratio))


def absolute(set_name):
    sel = [r for r in rows if r['set'] == set_name and r['mode'] == 'sample']
    by = {}
    for r in sel:
        by.setdefault((r['benchmark'].split('.')[0], r['params']['path']), {}).setdefault(r['build'], []).append(r['p50'])
    print('| benchmark | path | main p50 us, mean | branch p50 us, mean | branch / main |')
    print('|---|---|---|---|---|')
    for k, v in sorted(by.items()):
        print('| %s | %s | %.1f | %.1f | %.3f |' % (k[0], k[1], st.mean(v['main']), st.mean(v['branch']),
              st.mean(v['branch']) / st.mean(v['main'])))


if __name__ == '__main__':
    which = sys.argv[1] if len(sys.argv) > 1 else 'all'
    rounds = set(int(x) for x in sys.argv[2].split(',')) if len(sys.argv) > 2 else None
    if which.endswith(':abs'):
        absolute(which[:-4])
    else:
        table(which, rounds)
