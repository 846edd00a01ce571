#!/usr/bin/perl
# The examples of README.md and docs/*.md, run.  A fenced block is an
# example when the line before it (blank lines aside) is an HTML comment
#
#   <!-- example: demo -->            a psql session against the demo book:
#                                     "saas_demo=# " starts a statement,
#                                     "saas_demo-# " continues it, the lines
#                                     up to the next statement are its output
#                                     as psql prints it (compared, trailing
#                                     blanks aside)
#   <!-- example: run -->             SQL run as written (it must not fail);
#                                     later blocks of the file see its objects
#   <!-- example: query TOOL [VAR=schema.table.column ...] -->
#                                     one query as a BI tool sends it (TOOL:
#                                     grafana, metabase or superset), run after
#                                     the tool's own rewriting (see expand());
#                                     it must return rows, and the driver tests
#                                     read it through JDBC and node-postgres
#   <!-- example: cron -->            pg_cron statements, run by the pg_cron
#                                     test in the database pg_cron lives in
#
# A fenced block that looks like a psql example (a prompt, or the dashed
# line under a result's header) but has no marker is an error: every example
# runs.
#
#   doc_examples.pl check FILE DB [--no-run]
#       run FILE's examples in database DB (psql, one session, the blocks in
#       order), print TAP; --no-run: the run blocks are already loaded
#   doc_examples.pl fix FILE DB      the same, then write psql's output into
#                                    FILE's demo blocks (review the diff!)
#   doc_examples.pl sql KIND FILE    print the blocks of KIND (run or cron)
#   doc_examples.pl queries FILE...  print "label\0sql\0" for every query
#                                    block, rewritten as its tool would
use strict;
use warnings;
use File::Temp qw(tempfile);

# The time range a dashboard is looking at when the tools' macros are
# expanded: the whole demo book.
my ($RANGE_FROM, $RANGE_TO) = ('2024-01-01', '2026-10-31');

my $MARK = '@@doc_examples@@';
# psql's prompts: "db=# " starts a statement ("db=> " when not a
# superuser), "db-# " (or "db(# ", "db'# ", ...) continues one.
my $PROMPT = qr/^[A-Za-z_]\w*([=\-('"\$])[*!?]?[#>] ?(.*)$/;

sub usage { die "usage: $0 check|fix FILE DB [--no-run] | sql run|cron FILE | queries FILE...\n" }

# Fenced blocks of a Markdown file: {line, lines, kind, args} (kind undef
# when unmarked).
sub blocks {
    my ($file) = @_;
    open my $fh, '<', $file or die "$file: $!\n";
    my @lines = <$fh>;
    close $fh;
    chomp @lines;
    my (@blocks, $marker);
    for (my $i = 0; $i < @lines; $i++) {
        my $l = $lines[$i];
        if ($l =~ /^\s*<!--\s*example:\s*(\S+)\s*(.*?)\s*-->\s*$/) {
            $marker = [$1, [split ' ', $2], $i + 1];
        } elsif ($l =~ /^(\s*)(`{3,}|~{3,})/) {
            my ($indent, $fence) = ($1, $2);
            my $start = $i + 1;
            my @body;
            for ($i++; $i < @lines && $lines[$i] !~ /^\s*\Q$fence\E\s*$/; $i++) {
                (my $b = $lines[$i]) =~ s/^\Q$indent\E//;
                push @body, $b;
            }
            push @blocks, { line => $start, lines => \@body,
                            kind => $marker ? $marker->[0] : undef,
                            args => $marker ? $marker->[1] : [] };
            undef $marker;
        } elsif ($l =~ /\S/) {
            undef $marker;
        }
    }
    for my $b (@blocks) {
        next unless defined $b->{kind};
        die "$file:$b->{line}: unknown example kind '$b->{kind}'\n"
            unless $b->{kind} =~ /^(demo|run|query|cron)$/;
    }
    return @blocks;
}

sub looks_like_psql {
    my ($b) = @_;
    return scalar grep { /$PROMPT/ && $1 eq '=' || /^\s*-{3,}(\+-{3,})*\s*$/ } @{$b->{lines}};
}

# The statements of a psql session block: {line, sql, expected}.
sub session {
    my ($file, $b) = @_;
    my (@items, $cur);
    my $n = $b->{line};
    for my $l (@{$b->{lines}}) {
        $n++;
        if ($l =~ $PROMPT && $1 eq '=') {
            $cur = { line => $n, sql => [$2], expected => [] };
            push @items, $cur;
        } elsif ($cur && !@{$cur->{expected}} && $l =~ $PROMPT) {
            push @{$cur->{sql}}, $2;
        } elsif ($cur) {
            push @{$cur->{expected}}, $l;
        } elsif ($l =~ /\S/) {
            die "$file:$n: a demo block starts with a prompt such as 'saas_demo=# '\n";
        }
    }
    for my $it (@items) {
        my $sql = join "\n", @{$it->{sql}};
        die "$file:$it->{line}: end the statement with ';' (or use a backslash command)\n"
            unless $sql =~ /^\s*\\/ || $sql =~ /;\s*(--[^\n]*)?\s*$/;
        $it->{sql} = $sql;
    }
    return @items;
}

# A tool's query as the tool sends it to PostgreSQL.
sub expand {
    my ($file, $b) = @_;
    my ($tool, @vars) = @{$b->{args}};
    my $sql = join "\n", @{$b->{lines}};
    $sql =~ s/;\s*$//;
    $tool //= '';
    if ($tool eq 'grafana') {
        # Grafana's PostgreSQL data source macros, with the dashboard's range.
        $sql =~ s/\$__timeFilter\(\s*([^)]+?)\s*\)/$1 BETWEEN '${RANGE_FROM}T00:00:00Z' AND '${RANGE_TO}T23:59:59Z'/g;
        $sql =~ s/\$__timeFrom\(\)/'${RANGE_FROM}T00:00:00Z'/g;
        $sql =~ s/\$__timeTo\(\)/'${RANGE_TO}T23:59:59Z'/g;
        die "$file:$b->{line}: Grafana macro $1 is not expanded by $0\n" if $sql =~ /(\$__\w+)/;
    } elsif ($tool eq 'metabase') {
        # A field filter {{var}} mapped to a date column becomes a condition on
        # that column, qualified by schema and table (so the query must name
        # the table without an alias); an unset filter would become 1 = 1.
        for my $v (@vars) {
            my ($name, $schema, $table, $column) = $v =~ /^(\w+)=(\w+)\.(\w+)\.(\w+)$/
                or die "$file:$b->{line}: metabase variables are written name=schema.table.column\n";
            $sql =~ s/\{\{\s*\Q$name\E\s*\}\}/"$schema"."$table"."$column" BETWEEN date '$RANGE_FROM' AND date '$RANGE_TO'/g;
        }
        die "$file:$b->{line}: Metabase variable $1 has no mapping in the marker\n" if $sql =~ /(\{\{[^}]*\}\})/;
    } elsif ($tool eq 'superset') {
        # A virtual dataset is read as a subquery.
        $sql = "SELECT * FROM (\n$sql\n) AS virtual_table LIMIT 10000";
    } else {
        die "$file:$b->{line}: query blocks name their tool: grafana, metabase or superset\n";
    }
    return $sql;
}

sub normalise {
    my @l = map { (my $x = $_) =~ s/\s+$//; $x } @_;
    shift @l while @l && $l[0] eq '';
    pop @l while @l && $l[-1] eq '';
    return @l;
}

sub check {
    my ($fix, $file, $db, @opts) = @_;
    my %opt = map { $_ => 1 } @opts;
    my @blocks = blocks($file);
    my (@items, $script);
    my $add = sub {
        my ($item, $sql) = @_;
        $script .= "\\echo $MARK " . scalar(@items) . "\n$sql\n";
        push @items, $item;
    };
    $script = "\\pset pager off\n";
    for my $b (@blocks) {
        my $kind = $b->{kind};
        if (!defined $kind) {
            push @items, { kind => 'unmarked', line => $b->{line} }
                if looks_like_psql($b);
        } elsif ($kind eq 'demo') {
            for my $it (session($file, $b)) {
                $it->{kind} = 'demo';
                $it->{block} = $b;
                $add->($it, $it->{sql});
            }
        } elsif ($kind eq 'run' && !$opt{'--no-run'}) {
            $add->({ kind => 'run', line => $b->{line} }, join("\n", @{$b->{lines}}));
        } elsif ($kind eq 'query') {
            $add->({ kind => "query $b->{args}[0]", line => $b->{line} }, expand($file, $b) . ';');
        }
    }
    my ($sfh, $sname) = tempfile(UNLINK => 1);
    print $sfh $script;
    close $sfh;
    my @out = `psql -X -d '$db' -f '$sname' 2>&1`;
    die "psql failed to start: $?\n" if $? == -1;
    chomp @out;
    my %actual;
    my $cur;
    for (@out) {
        if (/^\Q$MARK\E (\d+)$/) { $cur = $1; $actual{$cur} = []; next; }
        s/^psql:[^:]*:\d+: //;
        push @{$actual{$cur}}, $_ if defined $cur;
    }

    my ($n, $failed) = (0, 0);
    for my $i (0 .. $#items) {
        my $it = $items[$i];
        my @got = normalise(@{$actual{$i} // []});
        $n++;
        my $where = "$file:$it->{line}";
        if ($it->{kind} eq 'unmarked') {
            print "not ok $n - $where: a psql example without an <!-- example: ... --> marker\n";
            $failed++;
        } elsif ($it->{kind} eq 'demo') {
            (my $first = $it->{sql}) =~ s/\s+/ /g;
            $first = substr($first, 0, 60);
            my @want = normalise(@{$it->{expected}});
            if (join("\n", @want) eq join("\n", @got)) {
                print "ok $n - $where $first\n";
            } else {
                print "not ok $n - $where $first\n";
                $failed++;
                diff(\@want, \@got);
                $it->{actual} = \@got;
            }
        } elsif ($it->{kind} eq 'run') {
            my @errors = grep { /^(ERROR|FATAL):/ } @got;
            print @errors ? "not ok $n - $where run\n" : "ok $n - $where run\n";
            $failed++ if @errors;
            print map { "# $_\n" } @got if @errors;
        } else {
            my ($rows) = map { /^\((\d+) rows?\)$/ ? $1 : () } @got;
            my $ok = !grep({ /^(ERROR|FATAL):/ } @got) && defined $rows && $rows > 0;
            print $ok ? "ok $n - $where $it->{kind} returns rows\n" : "not ok $n - $where $it->{kind} returns rows\n";
            $failed++ unless $ok;
            print map { "# $_\n" } @got[0 .. ($#got < 15 ? $#got : 15)] unless $ok;
        }
    }
    print "# $file: no examples\n" unless @items;
    rewrite($file, \@items) if $fix;
    return $failed == 0;
}

sub diff {
    my ($want, $got) = @_;
    my ($wf, $wn) = tempfile(UNLINK => 1);
    my ($gf, $gn) = tempfile(UNLINK => 1);
    print $wf map { "$_\n" } @$want;
    print $gf map { "$_\n" } @$got;
    close $wf;
    close $gf;
    print map { "# $_" } grep { !/^(---|\+\+\+) / } `diff -u '$wn' '$gn'`;
}

# fix: put the actual output under each statement whose output differs.
sub rewrite {
    my ($file, $items) = @_;
    open my $fh, '<', $file or die "$file: $!\n";
    my @lines = <$fh>;
    close $fh;
    chomp @lines;
    for my $it (sort { $b->{line} <=> $a->{line} } grep { $_->{actual} } @$items) {
        my $first = $it->{line} - 1 + scalar(split /\n/, $it->{sql}, -1);
        my $count = scalar @{$it->{expected}};
        my @keep_blank = ($count && $it->{expected}[-1] eq '') ? ('') : ();
        splice @lines, $first, $count, @{$it->{actual}}, @keep_blank;
    }
    open $fh, '>', $file or die "$file: $!\n";
    print $fh map { "$_\n" } @lines;
    close $fh;
}

my $cmd = shift // usage();
if ($cmd eq 'check' || $cmd eq 'fix') {
    my ($file, $db, @opts) = @ARGV;
    usage() unless defined $db;
    exit(check($cmd eq 'fix', $file, $db, @opts) ? 0 : 1);
} elsif ($cmd eq 'sql') {
    my ($kind, $file) = @ARGV;
    usage() unless defined $file && $kind =~ /^(run|cron)$/;
    print map { join("\n", @{$_->{lines}}) . "\n" } grep { ($_->{kind} // '') eq $kind } blocks($file);
} elsif ($cmd eq 'queries') {
    usage() unless @ARGV;
    for my $file (@ARGV) {
        for my $b (grep { ($_->{kind} // '') eq 'query' } blocks($file)) {
            print "$file:$b->{line} ($b->{args}[0])\0", expand($file, $b), "\0";
        }
    }
} else {
    usage();
}
