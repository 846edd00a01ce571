-- docs/churn_signals.md walks through the loop that demo/churn.sql runs
-- (the docs test runs the page's psql sessions in the demo database, which
-- demo/churn.sql built).  Every statement of the SQL blocks of the page's
-- sections on the loop and the risk list must be in demo/churn.sql as
-- written, so that what the page shows is what made the numbers it shows.
-- Prints the first line of each statement that is not.
\set missing `perl -e 'local $/; open(my $d, "<", "docs/churn_signals.md") or die "$!\n"; my $doc = <$d>; open(my $c, "<", "demo/churn.sql") or die "$!\n"; my $demo = <$c>; $doc =~ s/.*?\n## The whole loop//s or die "no loop section\n"; my ($n, @missing) = (0); while ($doc =~ /^\x60{3}sql\n(.*?)^\x60{3}$/msg) { for my $statement (split /\n\n/, $1) { $n++; push @missing, (split /\n/, $statement)[0] if index($demo, $statement) < 0 } } print "$n statements; not in demo/churn.sql: ", (join(" | ", @missing) || "none")'`
SELECT :'missing' AS "docs/churn_signals.md against demo/churn.sql";
