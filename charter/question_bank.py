"""The default participation-audit question bank.

Taken from the Herefordshire working agreement (seed 004): its EVIDENCE /
EVALUATE / AUDIT promises, "the process of co-production" and "always
remember: who, where, when, what, why and how". Keys are stable so that the
data migration and the demo loader can both install it, and running either
twice changes nothing.
"""

# (section key, title, description, [(question key, text, guidance), ...])
QUESTION_BANK = [
    ("involve", "Involve: who, where, when and how",
     "Who takes part in the team’s work, and whether taking part is possible for everyone.",
     [
         ("involve-who", "From the start of each piece of work we ask “who do we need to "
                         "involve?” and “who have we missed?”",
          "A stakeholder list for each project; invitations sent before the work was scoped."),
         ("involve-cyp", "Children and young people with SEND take part directly, not only "
                         "through their parent carers",
          "Sessions with young people, the self-advocacy app, youth forum minutes."),
         ("involve-access", "Meetings are accessible: times avoid the school run, venues are "
                            "comfortable, there is a virtual option and enough notice",
          "Meeting plans, feedback on venues and times, attendance of working parents."),
         ("involve-information", "Everyone gets the same information at the same time, in a "
                                 "format they can use",
          "Easy-read versions, papers sent a week ahead, jargon busters."),
     ]),
    ("evidence", "Evidence: people can see their work in what is produced",
     "All partners who have engaged in co-production should be able to see their work within "
     "whatever is produced or undertaken.",
     [
         ("evidence-visible", "Contributions of families and young people are visible in the "
                              "service specifications, policies and procedures we produce",
          "A section in each document saying who was involved and what changed because of them."),
         ("evidence-agenda", "Agendas are built with the people who use the service, and we can "
                             "show how their views shaped the direction",
          "Agenda items proposed by parent carers; an action log that names the source."),
         ("evidence-record", "We keep a record of who took part and what they contributed",
          "A participation log for the year."),
     ]),
    ("evaluate", "Evaluate: voices are heard and make a difference",
     "We gather feedback to ensure that all stakeholders feel that their voices have been heard "
     "and that they have been able to make a difference.",
     [
         ("evaluate-ask", "We ask everyone who takes part whether they felt heard and able to "
                          "make a difference",
          "Pulse surveys after events, the charter’s “how we will know” statements."),
         ("evaluate-feedback", "We always tell people what happened because of their "
                               "participation",
          "“You said, we did” reports, replies to feedback, updates at forum meetings."),
         ("evaluate-act", "We change what we do when the evaluation shows something is not "
                          "working",
          "Examples of changes made after feedback; escalations when engagement was not working."),
     ]),
    ("embed", "Embed: participation as standard",
     "Good participation is considered from the earliest stages of the commissioning cycle and "
     "throughout.",
     [
         ("embed-commissioning", "Participation is planned from the earliest stages of "
                                 "commissioning and service design",
          "Needs assessments and service reviews that involved families from the start."),
         ("embed-skills", "Staff have the skills and support to work in co-production, "
                          "including chairing and facilitation",
          "Training records, supervision notes, co-production champions."),
         ("embed-partnership", "We work with the Parent Carer Forum as an equal strategic "
                               "partner",
          "Forum representation on groups, jointly agreed work plans."),
     ]),
]


def install(section_model, question_model) -> int:
    """Create or refresh the default bank; returns the number of questions.
    Takes the model classes so a data migration can pass historical ones."""
    count = 0
    for s_order, (s_key, s_title, s_description, questions) in enumerate(QUESTION_BANK, 1):
        section, _ = section_model.objects.update_or_create(
            key=s_key, defaults={"order": s_order, "title": s_title,
                                 "description": s_description})
        for q_order, (q_key, text, guidance) in enumerate(questions, 1):
            question_model.objects.update_or_create(
                key=q_key, defaults={"section": section, "order": q_order, "text": text,
                                     "guidance": guidance})
            count += 1
    return count
