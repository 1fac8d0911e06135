# metrics.py: end to end, the statistics channel of the real src/zoned
# (statistics-channels { inet 127.0.0.1 port P allow { 127.0.0.1; }; };):
# GET /metrics parsed with the Prometheus client's own parser; after N
# queries of known types, rcodes and transports the counters have risen by
# exactly N; a client the allow list refuses gets 403, another path 404;
# per-zone counts and serials follow a reload; rate limiting's drops and
# slips add up to what was not answered in full.
import http.client
import os
import sys

sys.dont_write_bytecode = True  # nothing written into the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from zoned_e2e import *  # noqa: E402,F401,F403

try:
    from prometheus_client.parser import text_string_to_metric_families
except ImportError:
    # automake counts exit 77 as a SKIP in the summary.
    print('SKIP: python3-prometheus-client is not installed (apt-get install python3-prometheus-client)')
    sys.exit(77)

CONFIG = '''options { directory "."; %(options)s };
statistics-channels { inet 127.0.0.1 port %(metrics_port)d allow { 127.0.0.1; }; };
zone "example.com" { type primary; file "example.com.zone"; };
zone "other.test" { type primary; file "other.test.zone"; };
'''

EXAMPLE = zone_text('example.com', 7, 'www IN AAAA 2001:db8::2\n'
                    '@ IN MX 10 mail.example.com.\nmail IN A 192.0.2.25\n')
OTHER = zone_text('other.test', 1)


def start(workdir, options=''):
    """zoned serving example.com and other.test with a statistics channel; (Zoned, metrics port)."""
    metrics_port = free_port()
    write(os.path.join(workdir, 'zoned.conf'),
          CONFIG % {'metrics_port': metrics_port, 'options': options})
    write(os.path.join(workdir, 'example.com.zone'), EXAMPLE)
    write(os.path.join(workdir, 'other.test.zone'), OTHER)
    z = start_zoned(workdir, ['-t', '2', '-c', 'zoned.conf'], clean_exit=True)
    return z, metrics_port


def get(port, path='/metrics', source='127.0.0.1'):
    """(status, body) of one HTTP GET from source."""
    connection = http.client.HTTPConnection('127.0.0.1', port, timeout=5,
                                            source_address=(source, 0))
    try:
        connection.request('GET', path)
        response = connection.getresponse()
        return response.status, response.read().decode()
    finally:
        connection.close()


def scrape(port):
    """{(sample name, frozenset of labels): value} and {family: type} of one scrape."""
    status, text = get(port)
    assert status == 200, (status, text)
    samples, types = {}, {}
    for family in text_string_to_metric_families(text):
        types[family.name] = family.type
        for sample in family.samples:
            samples[(sample.name, frozenset(sample.labels.items()))] = sample.value
    return samples, types


def value(samples, name, **labels):
    key = (name, frozenset(labels.items()))
    assert key in samples, 'no sample %s %s' % (name, labels)
    return samples[key]


def delta(before, after, name, **labels):
    return value(after, name, **labels) - value(before, name, **labels)


# (name, type, expected rcode, tcp, EDNS with DO); every row is sent COUNT times.
QUERIES = [
    ('www.example.com.', 'A', 'NOERROR', False, False),
    ('www.example.com.', 'AAAA', 'NOERROR', False, True),
    ('example.com.', 'MX', 'NOERROR', True, False),
    ('nope.example.com.', 'A', 'NXDOMAIN', False, False),
    ('www.other.test.', 'TXT', 'NOERROR', True, True),      # NODATA
    ('www.elsewhere.org.', 'SOA', 'REFUSED', False, False),
    ('www.example.com.', 'NAPTR', 'NOERROR', False, False),  # counted as "other"
]
COUNT = 3


def send_queries(port):
    for name, rdtype, rcode, tcp, dnssec in QUERIES:
        for _ in range(COUNT):
            kwargs = {'use_edns': 0, 'want_dnssec': True} if dnssec else {}
            r = query(name, rdtype, port, tcp=tcp, **kwargs)
            assert dns.rcode.to_text(r.rcode()) == rcode, (name, rdtype, r.rcode())


def expected_by(column):
    """{value of column: queries} over QUERIES."""
    counts = {}
    for row in QUERIES:
        counts[row[column]] = counts.get(row[column], 0) + COUNT
    return counts


def test_counters_rise_by_exactly_the_queries_sent(workdir):
    z, metrics_port = start(workdir)
    before, types = scrape(metrics_port)
    send_queries(z.port)
    after, _ = scrape(metrics_port)
    total = len(QUERIES) * COUNT
    tcp = sum(COUNT for row in QUERIES if row[3])
    assert delta(before, after, 'zoned_queries_total', transport='udp') == total - tcp
    assert delta(before, after, 'zoned_queries_total', transport='tcp') == tcp
    assert delta(before, after, 'zoned_queries_by_opcode_total', opcode='QUERY') == total
    assert delta(before, after, 'zoned_queries_by_opcode_total', opcode='NOTIFY') == 0
    by_type = expected_by(1)
    by_type['other'] = by_type.pop('NAPTR')
    for rdtype in ('A', 'AAAA', 'NS', 'SOA', 'MX', 'TXT', 'CNAME', 'PTR', 'SRV', 'DS',
                   'DNSKEY', 'ANY', 'HTTPS', 'other'):
        assert delta(before, after, 'zoned_queries_by_type_total', type=rdtype) \
            == by_type.get(rdtype, 0), rdtype
    by_rcode = expected_by(2)
    for rcode in ('NOERROR', 'FORMERR', 'SERVFAIL', 'NXDOMAIN', 'NOTIMP', 'REFUSED',
                  'YXDOMAIN', 'BADVERS', 'other'):
        assert delta(before, after, 'zoned_responses_total', rcode=rcode) \
            == by_rcode.get(rcode, 0), rcode
    with_do = sum(COUNT for row in QUERIES if row[4])
    assert delta(before, after, 'zoned_queries_edns_total') == with_do
    assert delta(before, after, 'zoned_queries_dnssec_ok_total') == with_do
    assert delta(before, after, 'zoned_responses_truncated_total') == 0
    assert delta(before, after, 'zoned_rrl_dropped_total') == 0
    example = sum(COUNT for row in QUERIES if row[0].endswith('example.com.'))
    assert delta(before, after, 'zoned_zone_queries_total', zone='example.com') == example
    assert delta(before, after, 'zoned_zone_queries_total', zone='other.test') == COUNT
    assert value(after, 'zoned_zone_serial', zone='example.com') == 7
    # The parser's view of the families: counters (without _total) and one gauge.
    assert types['zoned_queries'] == 'counter', types
    assert types['zoned_responses'] == 'counter', types
    assert types['zoned_zone_serial'] == 'gauge', types
    assert z.stop() == 0


def test_allow_list_and_paths(workdir):
    z, metrics_port = start(workdir)
    status, body = get(metrics_port, source='127.0.0.2')   # not in allow { 127.0.0.1; }
    assert status == 403, (status, body)
    status, _ = get(metrics_port, path='/')
    assert status == 404, status
    status, _ = get(metrics_port, path='/metrics/extra')
    assert status == 404, status
    status, body = get(metrics_port)
    assert status == 200 and '# TYPE zoned_queries_total counter' in body, body[:200]
    assert z.stop() == 0


def test_reload_keeps_zone_counts(workdir):
    z, metrics_port = start(workdir)
    for _ in range(4):
        query('www.example.com.', 'A', z.port)
    before, _ = scrape(metrics_port)
    assert value(before, 'zoned_reloads_total') == 0
    # A new serial: the zone is loaded again (a new zone object) and keeps its count.
    write(os.path.join(workdir, 'example.com.zone'), EXAMPLE.replace(' 7 ', ' 8 '))
    z.reload()
    assert soa_serial(z.port, 'example.com.') == 8
    for _ in range(2):
        query('www.example.com.', 'A', z.port)
    after, _ = scrape(metrics_port)
    assert value(after, 'zoned_reloads_total') == 1
    assert value(after, 'zoned_reload_failures_total') == 0
    assert value(after, 'zoned_zone_serial', zone='example.com') == 8
    # 4 before, the SOA query, 2 after.
    assert delta(before, after, 'zoned_zone_queries_total', zone='example.com') == 3
    assert value(after, 'zoned_zone_queries_total', zone='example.com') >= 7
    # A broken zone at reload: counted, the previous version kept.
    write(os.path.join(workdir, 'other.test.zone'), 'this is not a zone\n')
    z.reload()
    failed, _ = scrape(metrics_port)
    assert value(failed, 'zoned_zone_load_failures_total') == 1
    assert value(failed, 'zoned_reloads_total') == 2
    assert value(failed, 'zoned_zone_serial', zone='other.test') == 1
    assert z.stop() == 0


def test_rate_limit_drops_and_slips(workdir):
    z, metrics_port = start(workdir, 'rate-limit { responses-per-second 1; slip 2; };')
    before, _ = scrape(metrics_port)
    sent = 12
    wire = make_query('www.example.com.', 'A').to_wire()
    answered = 0
    for _ in range(sent):
        if udp_exchange(z.port, wire, timeout=0.3) is not None:
            answered += 1
    after, _ = scrape(metrics_port)
    dropped = delta(before, after, 'zoned_rrl_dropped_total')
    slipped = delta(before, after, 'zoned_rrl_slipped_total')
    responses = delta(before, after, 'zoned_responses_total', rcode='NOERROR')
    assert delta(before, after, 'zoned_queries_total', transport='udp') == sent
    assert dropped > 0 and slipped > 0, (dropped, slipped)
    assert responses + dropped == sent, (responses, dropped)
    assert responses == answered, (responses, answered)
    assert z.stop() == 0


if __name__ == '__main__':
    sys.exit(main([
        test_counters_rise_by_exactly_the_queries_sent,
        test_allow_list_and_paths,
        test_reload_keeps_zone_counts,
        test_rate_limit_drops_and_slips,
    ]))
