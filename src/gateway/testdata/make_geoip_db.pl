#!/usr/bin/perl
# Writes a small GeoLite2-City-shaped database for the gateway tests:
#   perl make_geoip_db.pl OUT.mmdb
# 203.0.113.0/24 -> Germany / Bavaria; 198.51.100.0/24 -> Japan (no subdivision);
# 2001:db8::/32 -> United States / California, Los Angeles County (two levels).
use strict;
use warnings;
use MaxMind::DB::Writer::Tree;

my %types = (
  country => 'map', names => 'map', en => 'utf8_string',
  subdivisions => ['array', 'map'], iso_code => 'utf8_string',
);
my $tree = MaxMind::DB::Writer::Tree->new(
  ip_version => 6, record_size => 24, database_type => 'GeoLite2-City',
  languages => ['en'], description => { en => 'wildchat gateway test database' },
  map_key_type_callback => sub { $types{ $_[0] } },
  alias_ipv6_to_ipv4 => 1, remove_reserved_networks => 0,
);
$tree->insert_network('203.0.113.0/24', {
  country => { iso_code => 'DE', names => { en => 'Germany' } },
  subdivisions => [ { names => { en => 'Bavaria' } } ],
});
$tree->insert_network('198.51.100.0/24', { country => { names => { en => 'Japan' } } });
$tree->insert_network('2001:db8::/32', {
  country => { names => { en => 'United States' } },
  subdivisions => [ { names => { en => 'California' } }, { names => { en => 'Los Angeles County' } } ],
});
open my $fh, '>:raw', $ARGV[0] or die "cannot write $ARGV[0]: $!";
$tree->write_tree($fh);
close $fh or die;
