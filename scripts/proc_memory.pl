#!/usr/bin/perl
# The private memory of a PostgreSQL backend, and of the parallel workers it
# launches, while it runs a query (the scale part of scripts/bench.sh).
#
#   proc_memory.pl start PID FILE   sample in the background; returns once
#                                   the backend's baseline is taken
#   proc_memory.pl stop FILE        take a last sample, write FILE.result and
#                                   stop the sampler
#
# Private memory is RssAnon in /proc/PID/status: the resident anonymous
# pages of the process (palloc'd memory, malloc's heap and its mmap'd
# chunks), not the shared buffers (RssShmem) nor the mapped binaries
# (RssFile).  The kernel keeps no peak of RssAnon, only of the whole RSS
# (VmHWM), which counts every shared buffer the process has touched; so
# RssAnon is sampled every 50 ms and its peak is the largest sample, raised
# to VmHWM - RssFile - RssShmem of the last sample when that is larger (a
# peak between two samples: RssFile and RssShmem only grow while the
# process runs, so that difference never exceeds the true peak of RssAnon).
#
# FILE.result holds one line of numbers, in kB: the backend's RssAnon before
# the query, its peak, the largest peak of any of its parallel workers, the
# peak of the sum over the backend and its workers (sampled; at least the
# largest of their own peaks), then the number of samples and of workers
# seen.  Must run as root or as the cluster's user.
use strict;
use warnings;
use POSIX qw(setsid);
use Time::HiRes qw(sleep);

my $interval = 0.05;

sub status {
	my ($pid) = @_;
	open(my $fh, '<', "/proc/$pid/status") or return undef;
	my %s;
	while (<$fh>) {
		$s{$1} = $2 if /^(RssAnon|RssFile|RssShmem|VmHWM):\s+(\d+) kB/;
	}
	close $fh;
	return exists $s{RssAnon} ? \%s : undef;
}

# the parallel workers of the backend: children of its postmaster whose
# title names it
sub workers {
	my ($pid, $postmaster) = @_;
	open(my $fh, '<', "/proc/$postmaster/task/$postmaster/children") or return ();
	my @children = split ' ', (<$fh> // '');
	close $fh;
	my @found;
	for my $child (@children) {
		open(my $c, '<', "/proc/$child/cmdline") or next;
		my $title = <$c> // '';
		close $c;
		push @found, $child if $title =~ /parallel worker for PID $pid\b/;
	}
	return @found;
}

sub start {
	my ($pid, $file) = @_;
	my $first = status($pid) or die "no process $pid\n";
	unlink "$file.ready", "$file.result";
	defined(my $child = fork) or die "fork: $!\n";
	if ($child) {
		for (1 .. 500) {
			exit 0 if -e "$file.ready";
			sleep 0.01;
		}
		die "the sampler of $pid did not start\n";
	}
	setsid();
	open(STDIN, '<', '/dev/null');
	open(STDOUT, '>', '/dev/null');
	open(STDERR, '>>', "$file.log");

	my $postmaster = 0;
	if (open(my $fh, '<', "/proc/$pid/status")) {
		while (<$fh>) { $postmaster = $1 if /^PPid:\s+(\d+)/ }
		close $fh;
	}
	my $base = $first->{RssAnon};
	my (%peak, %last, $all_peak, $samples);
	my $stop = 0;
	$SIG{USR1} = sub { $stop = 1 };

	my $sample = sub {
		my $all = 0;
		for my $p ($pid, workers($pid, $postmaster)) {
			my $s = status($p) or next;
			$last{$p} = $s;
			$peak{$p} = $s->{RssAnon} if !defined $peak{$p} || $s->{RssAnon} > $peak{$p};
			$all += $s->{RssAnon};
		}
		$all_peak = $all if !defined $all_peak || $all > $all_peak;
		$samples++;
	};
	$sample->();
	open(my $fh, '>', "$file.pid") or die "$file.pid: $!\n";
	print $fh "$$\n";
	close $fh;
	open($fh, '>', "$file.ready") or die "$file.ready: $!\n";
	close $fh;

	while (!$stop && -e "/proc/$pid") {
		sleep $interval;
		$sample->();
	}
	for my $p (keys %last) {
		my $s = $last{$p};
		my $floor = $s->{VmHWM} - $s->{RssFile} - $s->{RssShmem};
		$peak{$p} = $floor if $floor > $peak{$p};
	}
	my $worker_peak = 0;
	for my $p (keys %peak) {
		$worker_peak = $peak{$p} if $p != $pid && $peak{$p} > $worker_peak;
	}
	# the sum is only sampled: at least each process's own peak
	$all_peak = $peak{$pid} if $peak{$pid} > $all_peak;
	$all_peak = $worker_peak if $worker_peak > $all_peak;
	open($fh, '>', "$file.tmp") or die "$file.tmp: $!\n";
	printf $fh "%d %d %d %d %d %d\n", $base, $peak{$pid}, $worker_peak, $all_peak, $samples,
		scalar(keys %peak) - 1;
	close $fh;
	rename "$file.tmp", "$file.result";
	exit 0;
}

sub stop {
	my ($file) = @_;
	open(my $fh, '<', "$file.pid") or die "$file.pid: $!\n";
	chomp(my $sampler = <$fh>);
	close $fh;
	kill 'USR1', $sampler;
	for (1 .. 1000) {
		return if -e "$file.result";
		sleep 0.01;
	}
	die "the sampler $sampler wrote no result\n";
}

my $command = shift // '';
if ($command eq 'start' && @ARGV == 2) {
	start(@ARGV);
} elsif ($command eq 'stop' && @ARGV == 1) {
	stop(@ARGV);
} else {
	die "usage: $0 start PID FILE | stop FILE\n";
}
