-- TrailKeep: the values a notebook's empty parameters take from the lake, as one row. Bound
-- parameters: :incident (the incident asked for, or ''), :need_instance (prefer an incident that
-- holds an instance), :by_incident (the days of the incident; else the lake's last seven days).
-- The incident is the latest high or critical one (for a notebook that follows an instance, the
-- latest whose instance has flow records in its days, rejected ones first); its principal the one
-- with the most events in its timeline; its key the first long-term key (AKIA...), else the first.
WITH candidates AS (
  SELECT incident_id, first_time, last_time, principals, access_keys, instances
  FROM incidents
  WHERE incident_id = :incident
     OR (:incident = '' AND severity IN ('high', 'critical') AND (NOT :need_instance OR size(instances) > 0))),
exploded AS (
  SELECT c.incident_id, c.first_time, c.last_time, i.instance
  FROM candidates c LATERAL VIEW explode(c.instances) i AS instance),
instance_flows AS (
  SELECT e.incident_id, e.instance, count(f.instance_id) AS records,
         count(CASE WHEN f.action = 'REJECT' THEN 1 END) AS rejected
  FROM exploded e
  LEFT JOIN (SELECT instance_id, action, event_date FROM vpc_flow WHERE :need_instance) f
    ON f.instance_id = e.instance AND f.event_date BETWEEN to_date(e.first_time) AND to_date(e.last_time)
  GROUP BY e.incident_id, e.instance),
best_instance AS (
  SELECT incident_id, instance, records, rejected
  FROM (SELECT *, row_number() OVER (PARTITION BY incident_id
                                     ORDER BY rejected > 0 DESC, records DESC, instance) AS rn
        FROM instance_flows)
  WHERE rn = 1),
chosen AS (
  SELECT c.incident_id, c.first_time, c.last_time, c.principals, c.access_keys, b.instance
  FROM candidates c LEFT JOIN best_instance b ON c.incident_id = b.incident_id
  ORDER BY CASE WHEN :need_instance THEN coalesce(b.rejected > 0, false) ELSE false END DESC,
           CASE WHEN :need_instance THEN coalesce(b.records > 0, false) ELSE false END DESC,
           c.last_time DESC, c.incident_id
  LIMIT 1),
actors AS (
  SELECT t.actor, sum(t.count) AS n
  FROM incident_timeline t JOIN chosen c ON t.incident_id = c.incident_id
  WHERE array_contains(c.principals, t.actor)
  GROUP BY t.actor),
last_day AS (SELECT max(event_date) AS d FROM cloudtrail)
SELECT
  (SELECT incident_id FROM chosen) AS incident,
  coalesce((SELECT actor FROM actors ORDER BY n DESC, actor LIMIT 1),
           (SELECT try_element_at(principals, 1) FROM chosen)) AS principal,
  (SELECT coalesce(try_element_at(filter(access_keys, k -> k LIKE 'AKIA%'), 1), try_element_at(access_keys, 1))
   FROM chosen) AS access_key,
  (SELECT instance FROM chosen) AS instance,
  CASE WHEN :by_incident AND (SELECT count(*) FROM chosen) > 0
       THEN (SELECT cast(to_date(first_time) AS string) FROM chosen)
       ELSE (SELECT cast(date_sub(d, 6) AS string) FROM last_day) END AS from_day,
  CASE WHEN :by_incident AND (SELECT count(*) FROM chosen) > 0
       THEN (SELECT cast(to_date(last_time) AS string) FROM chosen)
       ELSE (SELECT cast(d AS string) FROM last_day) END AS to_day
