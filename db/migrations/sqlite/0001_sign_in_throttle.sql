CREATE TABLE `throttle` (
	`key` text PRIMARY KEY NOT NULL,
	`failures` integer NOT NULL,
	`blocked_until_ms` integer NOT NULL,
	`last_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `throttle_last_ms` ON `throttle` (`last_ms`);--> statement-breakpoint
CREATE INDEX `events_type_ip_at` ON `events` (`type`,`ip`,`at`);